// kubectl sends some typed requests (auth can-i's access and rules reviews) as Kubernetes
// protobuf: the "k8s\0" magic, then a runtime.Unknown envelope around the object's message.
// This reads just the fields of those reviews; answers go back as JSON, which clients accept.

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, Array<Buffer | number>>;

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7;
  }
}

function readFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    pos = afterTag;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: Buffer | number;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      const [len, start] = readVarint(buf, pos);
      value = buf.subarray(start, start + len);
      pos = start + len;
    } else if (wire === 1) {
      value = buf.readDoubleLE(pos);
      pos += 8;
    } else if (wire === 5) {
      value = buf.readFloatLE(pos);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = fields.get(field) ?? [];
    list.push(value);
    fields.set(field, list);
  }
  return fields;
}

const bytes = (f: Fields, n: number): Buffer | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v : undefined;
};
const text = (f: Fields, n: number): string | undefined => bytes(f, n)?.toString('utf8');

function strings(f: Fields, names: Record<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, name] of Object.entries(names)) {
    const value = text(f, Number(n));
    if (value) out[name] = value;
  }
  return out;
}

/** The JSON form of a protobuf-encoded SelfSubjectAccessReview or SelfSubjectRulesReview. */
export function decodeReviewProtobuf(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new Error('not a Kubernetes protobuf message');
  const envelope = readFields(body.subarray(4));
  const typeMeta = readFields(bytes(envelope, 1) ?? Buffer.alloc(0));
  const kind = text(typeMeta, 2) ?? '';
  const apiVersion = text(typeMeta, 1) ?? '';
  const object = readFields(bytes(envelope, 2) ?? Buffer.alloc(0));
  const spec = readFields(bytes(object, 2) ?? Buffer.alloc(0));
  if (kind === 'SelfSubjectAccessReview') {
    const ra = bytes(spec, 1);
    const nra = bytes(spec, 2);
    return {
      kind,
      apiVersion,
      spec: {
        ...(ra ? { resourceAttributes: strings(readFields(ra), { 1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource', 6: 'subresource', 7: 'name' }) } : {}),
        ...(nra ? { nonResourceAttributes: strings(readFields(nra), { 1: 'path', 2: 'verb' }) } : {}),
      },
    };
  }
  if (kind === 'SelfSubjectRulesReview') return { kind, apiVersion, spec: strings(spec, { 1: 'namespace' }) };
  throw new Error(`protobuf bodies of kind ${kind || '(unknown)'} are not supported`);
}
