/**
 * The menu-bar item: a template icon (tinted by macOS for light and dark bars), a short title while
 * encoding, and a menu built from desktop/tray-model.ts.
 */
import { Menu, type MenuItemConstructorOptions, nativeImage, Tray } from 'electron';
import {
  type MenuItemModel,
  type TrayAction,
  type TrayState,
  trayMenuModel,
  trayTitle,
  trayTooltip,
} from '../desktop/tray-model.ts';

export type TrayActions = Record<TrayAction, () => void>;

export function menuTemplate(model: MenuItemModel[], actions: TrayActions): MenuItemConstructorOptions[] {
  return model.map((item): MenuItemConstructorOptions => {
    if (item.kind === 'separator') return { type: 'separator' };
    if (item.kind === 'label') return { label: item.label, enabled: false };
    const click = () => actions[item.action]();
    if (item.checked === undefined) return { label: item.label, click };
    return { label: item.label, type: 'checkbox', checked: item.checked, click };
  });
}

export class MenuBarItem {
  private readonly tray: Tray;
  private readonly actions: TrayActions;
  private lastMenu = '';

  /** `iconPath`: trayTemplate.png; its @2x sibling is picked up by macOS on Retina screens. */
  constructor(iconPath: string, actions: TrayActions) {
    const icon = nativeImage.createFromPath(iconPath);
    icon.setTemplateImage(true);
    this.tray = new Tray(icon);
    this.actions = actions;
  }

  update(state: TrayState): void {
    if (this.tray.isDestroyed()) return;
    // Monospaced digits: the title does not jitter as percentages change.
    this.tray.setTitle(trayTitle(state), { fontType: 'monospacedDigit' });
    this.tray.setToolTip(trayTooltip(state));
    const model = trayMenuModel(state);
    const key = JSON.stringify(model);
    if (key === this.lastMenu) return;
    this.lastMenu = key;
    this.tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(model, this.actions)));
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}
