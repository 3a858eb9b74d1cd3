/** One caption per Media Library file; a regenerate updates it and keeps the earlier text in history. */
import { CAPTION_SOURCES, CAPTION_STATUSES, DOMAIN_VERDICTS, REVIEW_REASONS } from '../contracts';

export const CAPTION_UID = 'plugin::altbridge.caption';

export default {
  schema: {
    kind: 'collectionType',
    collectionName: 'altbridge_captions',
    info: { singularName: 'caption', pluralName: 'captions', displayName: 'Caption' },
    options: { draftAndPublish: false },
    // The plugin's own pages show captions; the generic Content Manager would bypass the write-through rules.
    pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
    attributes: {
      // The upload file's id rather than a relation: one row per file, enforced by the unique index below.
      fileId: { type: 'integer', required: true, unique: true },
      fileName: { type: 'string' },
      text: { type: 'text' },
      status: { type: 'enumeration', enum: [...CAPTION_STATUSES], default: 'queued', required: true },
      source: { type: 'enumeration', enum: [...CAPTION_SOURCES], default: 'machine' },
      confidence: { type: 'float' },
      // The publishing policy's inputs and verdict, kept so a reviewer sees why a caption was withheld.
      quality: { type: 'float' },
      domainVerdict: { type: 'enumeration', enum: [...DOMAIN_VERDICTS] },
      reviewReason: { type: 'enumeration', enum: [...REVIEW_REASONS] },
      bundle: { type: 'string' },
      bundleVersion: { type: 'string' },
      m: { type: 'integer' },
      steps: { type: 'integer' },
      beam: { type: 'integer' },
      timings: { type: 'json' },
      error: { type: 'text' },
      // The alternativeText the plugin itself last wrote on the file: the only text it may replace.
      machineAlt: { type: 'text', private: true },
      reviewedBy: { type: 'string' },
      reviewedById: { type: 'integer' },
      reviewedAt: { type: 'datetime' },
      history: { type: 'json' },
      // The backfill run that queued this row, if any (its progress is counted from these rows).
      batch: { type: 'string' },
    },
    // A database constraint, not only the document service's check: two jobs for one file may race.
    indexes: [{ name: 'altbridge_captions_file_id_unique', columns: ['file_id'], type: 'unique' }],
  },
};
