import { Component, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
}

/**
 * A screen that throws while it renders shows what went wrong and a way to try again; uncaught, React
 * unmounts the whole app and the window goes blank (a coordinator's malformed reply did that to every
 * node's Farm screen). Keyed by the route, so another screen starts clean.
 */
export class ScreenBoundary extends Component<Props, { error: string | null }> {
  override state: { error: string | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: string } {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <section className="screen-error" role="alert">
        <h2>This screen could not be shown</h2>
        <p className="muted">{this.state.error}</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </section>
    );
  }
}
