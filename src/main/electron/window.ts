import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, ipcMain, session, shell, type WebContents } from 'electron';
import { IPC_EVENT, IPC_INVOKE } from '../../shared/contract';
import { CONTENT_SECURITY_POLICY } from '../host/http';
import type { RoadsideService } from '../service';

const here = dirname(fileURLToPath(import.meta.url));

/** External links the UI may open in the system browser. */
const EXTERNAL_LINK_ALLOWLIST = [/^https:\/\/kubernetes\.io\//, /^https:\/\/github\.com\/kubernetes\//];

function isAppUrl(url: string, rendererUrl?: string): boolean {
  if (rendererUrl) return url.startsWith(rendererUrl);
  return url.startsWith('file://');
}

export function registerIpc(service: RoadsideService, getWindow: () => BrowserWindow | undefined, rendererUrl?: string): void {
  // Every request is checked against the sender: only our own window's main frame may call.
  ipcMain.handle(IPC_INVOKE, async (event, channel: unknown, request: unknown) => {
    const win = getWindow();
    const frameUrl = event.senderFrame?.url ?? '';
    if (!win || event.sender !== win.webContents || !isAppUrl(frameUrl, rendererUrl)) {
      return { ok: false, error: { code: 'forbidden', message: 'request from an unknown sender' } };
    }
    return service.dispatch(channel, request);
  });
  service.onEvent((event) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT, event);
  });
}

function lockDown(contents: WebContents, rendererUrl?: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, rendererUrl)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (EXTERNAL_LINK_ALLOWLIST.some((re) => re.test(url))) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function createMainWindow(rendererUrl?: string): BrowserWindow {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Roadside',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  lockDown(win.webContents, rendererUrl);
  win.once('ready-to-show', () => win.show());
  if (rendererUrl) void win.loadURL(rendererUrl);
  else void win.loadFile(join(here, '../renderer/index.html'));
  return win;
}
