import { createContext, useContext } from 'react';
import type { Channel, RequestOf, ResponseOf, RoadsideApi } from '../../../shared/contract';
import type { RoadsideErrorShape } from '../../../shared/result';

export const ApiContext = createContext<RoadsideApi | null>(null);

export function useApi(): RoadsideApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('RoadsideApi is not available');
  return api;
}

export class ApiError extends Error {
  constructor(readonly shape: RoadsideErrorShape) {
    super(shape.message);
  }
}

/** Invokes and unwraps the envelope, throwing ApiError (with its code) on failure. */
export async function call<C extends Channel>(api: RoadsideApi, channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await api.invoke(channel, request);
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}
