// Which module holds each cmdlet (names and aliases), so bin/tsmedia can load just the family a
// command line names: loading every cmdlet module costs each command ~0.1 s of start-up (ESM
// loading of ~200 modules). A name not listed here (a typo, Get-Help, a script) loads them all.
// test/shell/cmdlet-families-match-the-registry.test.ts keeps this table equal to index.ts.
import type { AnyCmdlet } from '../shell/cmdlet-lookup.js';

type Family = readonly [load: () => Promise<readonly AnyCmdlet[]>, names: readonly string[]];

export const FAMILIES: readonly Family[] = [
  [async () => (await import('./sites.js')).siteCmdlets, ['New-CMSite', 'Get-CMSite', 'Add-CMDistributionPoint', 'Get-CMDistributionPoint', 'Add-CMManagementPoint', 'Get-CMManagementPoint']],
  [async () => (await import('./content.js')).contentCmdlets, ['New-CMPackage', 'Get-CMPackage', 'Remove-CMPackage', 'New-CMDriverPackage', 'Get-CMDriverPackage', 'Remove-CMDriverPackage',
    'New-CMApplication', 'Get-CMApplication', 'Remove-CMApplication', 'New-CMOperatingSystemImage', 'Get-CMOperatingSystemImage', 'Remove-CMOperatingSystemImage',
    'New-CMBootImage', 'Get-CMBootImage', 'Remove-CMBootImage', 'Update-CMDistributionPoint', 'Update-CMContent', 'Get-CMContentRevision']],
  [async () => (await import('./task-sequences.js')).taskSequenceCmdlets, ['New-CMTaskSequence', 'Get-CMTaskSequence', 'Get-CMTaskSequenceReference', 'Remove-CMTaskSequence']],
  [async () => (await import('./windows-image.js')).windowsImageCmdlets, ['New-WindowsImage', 'Add-WindowsImage', 'Get-WindowsImage', 'Expand-WindowsImage', 'Split-WindowsImage',
    'Export-WindowsImage', 'Test-WindowsImage', 'Get-WindowsImageContent']],
  [async () => (await import('./iso-image.js')).isoImageCmdlets, ['New-TSIsoImage']],
  [async () => (await import('./usb-image.js')).usbImageCmdlets, ['New-TSUsbImage']],
  [async () => (await import('./media-image.js')).mediaImageCmdlets, ['Get-TSMediaImage']],
  [async () => (await import('./media.js')).mediaCmdlets, ['New-CMCaptureMedia', 'New-CMBootableMedia', 'New-CMStandaloneMedia', 'New-CMPrestageMedia', 'Get-TSMediaInfo', 'Get-TSMedia']],
  [async () => (await import('./media-build.js')).mediaBuildCmdlets, ['Invoke-TSMediaBuild']],
  [async () => (await import('./media-status.js')).mediaStatusCmdlets, ['Get-TSPrestagedMediaStatus', 'Compare-TSMedia']],
  [async () => (await import('./distribution-point.js')).distributionPointCmdlets, ['Start-TSDistributionPoint', 'Publish-TSContentLibrary']],
  [async () => (await import('./prestaged-content.js')).prestagedContentCmdlets, ['Test-TSPrestagedContent', 'Sync-TSPrestagedContent']],
];

/** The cmdlets a command line needs: the named cmdlet's family, or every cmdlet. */
export async function cmdletsFor(name: string | undefined): Promise<readonly AnyCmdlet[]> {
  const lower = name?.toLowerCase();
  const family = FAMILIES.find(([, names]) => names.some((n) => n.toLowerCase() === lower));
  return family ? family[0]() : (await import('./index.js')).cmdlets;
}
