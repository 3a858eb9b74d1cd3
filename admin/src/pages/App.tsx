/** The plugin's menu entry: its pages under /plugins/altbridge, with the page links and the no-worker banner above them. */
import { Page } from '@strapi/strapi/admin';
import { Route, Routes } from 'react-router-dom';
import { PluginNav } from '../components/PluginNav';
import { WorkerBanner } from '../components/WorkerBanner';
import { PERMISSIONS } from '../permissions';
import { AuditPage } from './AuditPage';
import { BackfillPage } from './BackfillPage';
import { CaptionsPage } from './CaptionsPage';
import { FailedJobsPage } from './FailedJobsPage';
import { FinetunePage } from './FinetunePage';

export const App = () => (
  <Page.Protect permissions={PERMISSIONS.read}>
    <PluginNav />
    <WorkerBanner />
    <Routes>
      <Route index element={<CaptionsPage />} />
      <Route path="backfill" element={<BackfillPage />} />
      <Route path="audit" element={<AuditPage />} />
      <Route path="failed-jobs" element={<FailedJobsPage />} />
      <Route
        path="fine-tuning"
        element={
          <Page.Protect permissions={PERMISSIONS.finetune}>
            <FinetunePage />
          </Page.Protect>
        }
      />
      <Route path="*" element={<Page.NoData />} />
    </Routes>
  </Page.Protect>
);
