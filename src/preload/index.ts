// The only bridge between the untrusted renderer and the main side: the typed
// RoadsideApi, nothing else (no ipcRenderer, no Node).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, type RoadsideApi, type RoadsideEvent } from '../shared/contract';

const api: RoadsideApi = {
  invoke: (channel, request) => ipcRenderer.invoke(IPC_INVOKE, channel, request),
  onEvent: (listener) => {
    const wrapped = (_e: IpcRendererEvent, event: RoadsideEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT, wrapped);
  },
};

contextBridge.exposeInMainWorld('roadside', api);
