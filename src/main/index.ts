// Electron entry: the desktop door onto the same core the CLI and `roadside serve` use.
import { app, BrowserWindow, safeStorage } from 'electron';
import { version } from '../../package.json';
import { resolveDataDir } from './data-folder';
import { printHtmlToPdf } from './electron/pdf';
import { createSafeStorageVault } from './electron/ssh-secret-vault';
import { createMainWindow, registerIpc } from './electron/window';
import { adoptLoginShellPath } from './kube/shell-env';
import { RoadsideService } from './service';

let mainWindow: BrowserWindow | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  void app.whenReady().then(async () => {
    // Exec credential plugins need the login shell's PATH when launched from a desktop menu.
    await adoptLoginShellPath(3000);
    const service = new RoadsideService({
      dataDir: resolveDataDir(app.getPath('userData')),
      door: 'electron',
      version,
      systemLocale: app.getLocale(),
    });
    // SSH passphrases are remembered only encrypted by the OS keychain, and only in the desktop app.
    const vault = createSafeStorageVault(safeStorage, service.dataDir);
    if (vault) service.ssh.useVault(vault);
    service.pdfPrinter = printHtmlToPdf;
    const rendererUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
    registerIpc(service, () => mainWindow, rendererUrl);
    mainWindow = createMainWindow(rendererUrl);
    mainWindow.on('closed', () => (mainWindow = undefined));
    let quitting = false;
    app.on('before-quit', (event) => {
      if (quitting) return;
      // Stop the sandbox this process serves before leaving, so its state file does not linger.
      event.preventDefault();
      quitting = true;
      void service.shutdown().finally(() => app.quit());
    });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(rendererUrl);
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
