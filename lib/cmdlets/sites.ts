// Sites, management points and distribution points.
import { readFile } from 'node:fs/promises';
import { readCatalog, writeCatalog } from '../catalog/catalog.js';
import { addEndpoint, addSite, checkSiteCode, listEndpoints, listSites, getSite } from '../catalog/sites.js';
import type { EndpointKind, SiteType } from '../catalog/sites.js';
import { UsageError } from '../errors.js';
import type { CmdletSpec } from '../shell/types.js';

interface NewSiteParams { SiteCode: string; SiteName: string; Type: SiteType; ParentSiteCode?: string; Https?: boolean; RootCertificatePath?: string }

const newSite: CmdletSpec<NewSiteParams> = {
  name: 'New-CMSite',
  synopsis: 'Adds a site (primary or central administration) to the catalog.',
  parameters: [
    { name: 'SiteCode', type: 'string', mandatory: true, position: 0, help: 'Three letters or digits, e.g. PS2.' },
    { name: 'SiteName', type: 'string', mandatory: true, help: 'A descriptive name.' },
    { name: 'Type', type: 'string', mandatory: true, validateSet: ['Primary', 'CentralAdministration'], help: 'Primary or CentralAdministration.' },
    { name: 'ParentSiteCode', type: 'string', help: 'For a primary site in a hierarchy: its central administration site.' },
    { name: 'Https', type: 'switch', help: 'The site uses HTTPS management and distribution points.' },
    { name: 'RootCertificatePath', type: 'string', help: 'A PEM file with the root CA certificate the site trusts (needed for dynamic HTTPS media).' },
  ],
  examples: [
    { code: 'tsmedia New-CMSite -SiteCode CAS -SiteName "Central" -Type CentralAdministration', remarks: 'Adds a central administration site.' },
    { code: 'tsmedia New-CMSite -SiteCode PS2 -SiteName "Branch" -Type Primary -ParentSiteCode CAS -Https -RootCertificatePath root.pem', remarks: 'Adds an HTTPS primary site under it.' },
  ],
  async run(p, ctx) {
    const code = checkSiteCode(p.SiteCode);
    let pem: string | undefined;
    if (p.RootCertificatePath) {
      try {
        pem = await readFile(p.RootCertificatePath, 'utf8');
      } catch {
        throw new UsageError('EBAD_CERTIFICATE', `Cannot read the root certificate file '${p.RootCertificatePath}'.`);
      }
    }
    if (!ctx.shouldProcess(`site ${code}`, 'New-CMSite')) return undefined;
    const now = ctx.now();
    return writeCatalog(ctx.home, now, (db) => addSite(db, {
      code, name: p.SiteName, type: p.Type, https: p.Https === true,
      ...(p.ParentSiteCode ? { parentCode: p.ParentSiteCode } : {}), ...(pem ? { rootCertificatePem: pem } : {}),
    }, now));
  },
};

const getSiteCmdlet: CmdletSpec<{ SiteCode?: string }> = {
  name: 'Get-CMSite',
  synopsis: 'Lists the sites in the catalog.',
  parameters: [{ name: 'SiteCode', type: 'string', position: 0, help: 'Only this site.' }],
  defaultView: ['SiteCode', 'SiteName', 'Type', 'ParentSiteCode', 'Https'],
  async run(p, ctx) {
    return readCatalog(ctx.home, ctx.now(), (db) => (p.SiteCode ? [getSite(db, p.SiteCode)] : listSites(db)));
  },
};

function endpointCmdlets(kind: EndpointKind, noun: string, what: string): CmdletSpec<any>[] {
  const add: CmdletSpec<{ SiteCode: string; Url: string }> = {
    name: `Add-CM${noun}`,
    synopsis: `Registers a ${what} of a site.`,
    parameters: [
      { name: 'SiteCode', type: 'string', mandatory: true, help: 'The site it belongs to.' },
      { name: 'Url', type: 'string', mandatory: true, position: 0, help: `The ${what}'s URL (http:// or https://).` },
    ],
    examples: [{ code: `tsmedia Add-CM${noun} -SiteCode PS1 -Url https://${kind === 'distribution_points' ? 'dp' : 'mp'}1.contoso.com/`, remarks: `Registers a ${what}.` }],
    async run(p, ctx) {
      if (!ctx.shouldProcess(p.Url, `Add-CM${noun}`)) return undefined;
      const now = ctx.now();
      return writeCatalog(ctx.home, now, (db) => addEndpoint(db, kind, p.SiteCode, p.Url, now));
    },
  };
  const get: CmdletSpec<{ SiteCode?: string }> = {
    name: `Get-CM${noun}`,
    synopsis: `Lists registered ${what}s.`,
    parameters: [{ name: 'SiteCode', type: 'string', position: 0, help: 'Only this site\'s.' }],
    async run(p, ctx) {
      return readCatalog(ctx.home, ctx.now(), (db) => listEndpoints(db, kind, p.SiteCode));
    },
  };
  return [add, get];
}

export const siteCmdlets: CmdletSpec<any>[] = [
  newSite, getSiteCmdlet,
  ...endpointCmdlets('distribution_points', 'DistributionPoint', 'distribution point'),
  ...endpointCmdlets('management_points', 'ManagementPoint', 'management point'),
];
