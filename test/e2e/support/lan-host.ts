/** The host name the browser maps to 127.0.0.1 (see playwright.config.ts); `.test` never resolves in DNS. */
export const E2E_LAN_HOST = 'vfo-node.e2e.test';
