import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { pickConnection } from './client/pick-connection.ts';
import { startSession } from './stores/session-actions.ts';
import './styles.css';

void startSession(pickConnection());

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
