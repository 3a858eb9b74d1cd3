/** One row per day: the audit's totals that day, for the progress chart and the export. */
export const SNAPSHOT_UID = 'plugin::altbridge.audit-snapshot';

export default {
  schema: {
    kind: 'collectionType',
    collectionName: 'altbridge_audit_snapshots',
    info: { singularName: 'audit-snapshot', pluralName: 'audit-snapshots', displayName: 'Audit snapshot' },
    options: { draftAndPublish: false },
    pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
    attributes: {
      day: { type: 'date', required: true, unique: true },
      // AuditTotals (contracts.ts) of the day's last audit.
      totals: { type: 'json', required: true },
    },
    // The upsert of the day's row relies on a real constraint, not only the document service's check.
    indexes: [{ name: 'altbridge_audit_snapshots_day_unique', columns: ['day'], type: 'unique' }],
  },
};
