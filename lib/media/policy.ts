// SMS\data\Policy.xml of stand-alone media: the task sequence and what it references, sealed under
// the media key like Variables.dat (as ConfigMgr encrypts its Policy.xml with the variables key).
//
// Plaintext (UTF-8; references in Id order):
//   <?xml version="1.0" encoding="UTF-8"?>
//   <TaskSequencePolicy Version="1">
//   <TaskSequence Id="PS100010" Name="Deploy Windows" BootImageId="PS100001"/>
//   <References>
//   <Reference Id="PS100002" Type="OperatingSystemImage" SourceVersion="3" Name="Win11" Role="OperatingSystemImage"/>
//   </References>
//   </TaskSequencePolicy>
import { CONTENT_TYPES } from '../catalog/content.js';
import type { ContentType } from '../catalog/content.js';
import { FormatError } from '../errors.js';
import type { MediaKey } from './media-key.js';
import { seal, unseal } from './sealed-file.js';
import { onlyChildren, parseXml, requiredAttribute, XML_DECLARATION, xmlElement } from './xml.js';

const FORMAT = 'Policy.xml';
const OBJECT_ID = /^[A-Z0-9]{3}[0-9A-F]{5}$/;

export interface PolicyReference {
  Id: string;
  Name: string;
  Type: ContentType;
  Role: string;
  SourceVersion: number;
}

export interface TaskSequencePolicy {
  TaskSequenceId: string;
  TaskSequenceName: string;
  BootImageId: string;
  References: PolicyReference[];
}

function byId(a: PolicyReference, b: PolicyReference): number {
  return a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : a.Role < b.Role ? -1 : a.Role > b.Role ? 1 : 0;
}

export function policyXml(p: TaskSequencePolicy): Buffer {
  const refs = [...p.References].sort(byId).map((r) => xmlElement('Reference', [
    ['Id', r.Id], ['Type', r.Type], ['SourceVersion', String(r.SourceVersion)], ['Name', r.Name], ['Role', r.Role],
  ]));
  const xml = [
    XML_DECLARATION,
    '<TaskSequencePolicy Version="1">',
    xmlElement('TaskSequence', [['Id', p.TaskSequenceId], ['Name', p.TaskSequenceName], ['BootImageId', p.BootImageId]]),
    '<References>', ...refs, '</References>',
    '</TaskSequencePolicy>', '',
  ].join('\n');
  return Buffer.from(xml, 'utf8');
}

function objectId(v: string, what: string): string {
  if (!OBJECT_ID.test(v)) throw new FormatError(FORMAT, `${what} '${v}' is not an object ID such as PS100004.`);
  return v;
}

export function parsePolicyXml(bytes: Buffer): TaskSequencePolicy {
  const root = parseXml(bytes.toString('utf8'), FORMAT);
  if (root.name !== 'TaskSequencePolicy') throw new FormatError(FORMAT, `root element is <${root.name}>, not <TaskSequencePolicy>.`);
  if (root.attributes.Version !== '1') throw new FormatError(FORMAT, `policy version ${root.attributes.Version ?? '(none)'} is not supported.`);
  const [ts, refsEl, ...rest] = root.children;
  if (!ts || ts.name !== 'TaskSequence' || !refsEl || refsEl.name !== 'References' || rest.length > 0) {
    throw new FormatError(FORMAT, '<TaskSequencePolicy> must hold <TaskSequence> then <References>.');
  }
  const References = onlyChildren(refsEl, 'Reference', FORMAT).map((el) => {
    const type = requiredAttribute(el, 'Type', FORMAT);
    if (!(CONTENT_TYPES as readonly string[]).includes(type)) throw new FormatError(FORMAT, `reference type '${type}' is unknown.`);
    const sv = requiredAttribute(el, 'SourceVersion', FORMAT);
    if (!/^[1-9][0-9]{0,8}$/.test(sv)) throw new FormatError(FORMAT, `SourceVersion '${sv}' is not a positive whole number.`);
    return {
      Id: objectId(requiredAttribute(el, 'Id', FORMAT), 'Reference Id'),
      Name: requiredAttribute(el, 'Name', FORMAT),
      Type: type as ContentType,
      Role: requiredAttribute(el, 'Role', FORMAT),
      SourceVersion: Number(sv),
    };
  });
  return {
    TaskSequenceId: objectId(requiredAttribute(ts, 'Id', FORMAT), 'Task sequence Id'),
    TaskSequenceName: requiredAttribute(ts, 'Name', FORMAT),
    BootImageId: objectId(requiredAttribute(ts, 'BootImageId', FORMAT), 'BootImageId'),
    References,
  };
}

export function writePolicyFile(key: MediaKey, p: TaskSequencePolicy): Buffer {
  return seal('policy', key, policyXml(p));
}

export function readPolicyFile(bytes: Uint8Array, secret: string | null | MediaKey): TaskSequencePolicy {
  return parsePolicyXml(unseal('policy', bytes, secret));
}
