/** Images an editor marked decorative (intentionally empty alt text): compliant in the audit, never captioned. */
export const DECORATIVE_UID = 'plugin::altbridge.decorative';

export default {
  schema: {
    kind: 'collectionType',
    collectionName: 'altbridge_decorative',
    info: { singularName: 'decorative', pluralName: 'decoratives', displayName: 'Decorative image' },
    options: { draftAndPublish: false },
    pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
    attributes: {
      // The upload file's id, as the caption rows keep it: one mark per file.
      fileId: { type: 'integer', required: true, unique: true },
      reason: { type: 'text', required: true },
      markedBy: { type: 'string' },
      markedById: { type: 'integer' },
    },
    indexes: [{ name: 'altbridge_decorative_file_id_unique', columns: ['file_id'], type: 'unique' }],
  },
};
