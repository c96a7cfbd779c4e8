import { ApiFailure } from '../../shared/api/result';

export const notYet = (what: string): never => {
  throw new ApiFailure({ code: 'UNAVAILABLE', message: `${what} is not available in this build yet` });
};
