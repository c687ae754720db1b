// Every cmdlet tsmedia offers. The shell adds its own (Get-Help, Get-Command).
import type { CmdletSpec } from '../shell/types.js';
import { contentCmdlets } from './content.js';
import { siteCmdlets } from './sites.js';
import { taskSequenceCmdlets } from './task-sequences.js';
import { usbImageCmdlets } from './usb-image.js';
import { isoImageCmdlets } from './iso-image.js';
import { mediaImageCmdlets } from './media-image.js';
import { windowsImageCmdlets } from './windows-image.js';
import { mediaCmdlets } from './media.js';
import { mediaStatusCmdlets } from './media-status.js';
import { mediaBuildCmdlets } from './media-build.js';
import { distributionPointCmdlets } from './distribution-point.js';
import { prestagedContentCmdlets } from './prestaged-content.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const cmdlets: CmdletSpec<any>[] = [
  ...siteCmdlets, ...contentCmdlets, ...taskSequenceCmdlets, ...windowsImageCmdlets, ...isoImageCmdlets, ...usbImageCmdlets,
  ...mediaImageCmdlets, ...mediaCmdlets, ...mediaBuildCmdlets, ...mediaStatusCmdlets, ...distributionPointCmdlets, ...prestagedContentCmdlets,
];
