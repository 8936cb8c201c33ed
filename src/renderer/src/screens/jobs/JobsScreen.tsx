import { DropZone } from './DropZone.tsx';
import { ImportPanel } from './ImportPanel.tsx';
import { JobList } from './JobList.tsx';

export function JobsScreen() {
  return (
    <>
      <h1>Jobs</h1>
      <DropZone />
      <ImportPanel />
      <JobList />
    </>
  );
}
