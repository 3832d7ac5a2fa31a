/** The Graph errors the Meta sandboxes answer, as Meta words them. */
import type { GraphErrorFields } from './http';

// The bodies of Meta's 5xx are not documented for these hosts; Graph's transient error
// (code 2, `is_transient`) is what its SDKs see most, and a proxy's page for the 502.
export const TRANSIENT: GraphErrorFields = {
  message: 'An unexpected error has occurred. Please retry your request later.',
  code: 2,
  is_transient: true,
};
export const UNAVAILABLE: GraphErrorFields = {
  message: 'Service temporarily unavailable',
  code: 2,
  is_transient: true,
};
export const BAD_GATEWAY_PAGE =
  '<!DOCTYPE html><html><head><title>Error</title></head><body><h1>502 Bad Gateway</h1><p>Sorry, something went wrong.</p></body></html>';

export const INVALID_TOKEN: GraphErrorFields = {
  message: 'Invalid OAuth access token - Cannot parse access token',
  code: 190,
};
export const NO_TOKEN: GraphErrorFields = {
  message: 'An active access token must be used to query information about the current user.',
  code: 2500,
};
export const REVOKED: GraphErrorFields = {
  message:
    'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  code: 190,
  error_subcode: 460,
};
/** A live token without the publishing permission (the scope was not granted). */
export const PERMISSION_MISSING: GraphErrorFields = {
  message: '(#10) Application does not have permission for this action',
  code: 10,
};
export const EXPIRED_CONTAINER: GraphErrorFields = {
  message: 'The media you are trying to access has expired. Please try to upload again.',
  code: -2,
  error_subcode: 2207020,
  is_transient: false,
  error_user_title: 'Media expired',
  error_user_msg: 'The media you are trying to access has expired. Please try to upload again.',
};
export const QUOTA_REACHED: GraphErrorFields = {
  message: 'Application request limit reached',
  code: 9,
  error_subcode: 2207042,
  is_transient: false,
  error_user_title: 'Cannot publish post',
  error_user_msg:
    'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
};

export function sessionExpired(now: number): GraphErrorFields {
  const day = new Date(now - 60_000).toUTCString();
  return {
    message: `Error validating access token: Session has expired on ${day}. The current time is ${new Date(now).toUTCString()}.`,
    code: 190,
    error_subcode: 463,
  };
}

export function downloadFailed(url: string): GraphErrorFields {
  return {
    message: 'Only photo or video can be accepted as media type.',
    code: 9004,
    error_subcode: 2207052,
    is_transient: false,
    error_user_title: 'Media download has failed.',
    error_user_msg: `The media could not be fetched from this uri: ${url}. Please check the below detailed reason and try again. Media could not be downloaded from the given URI.`,
  };
}

export const missingParameter = (name: string): GraphErrorFields => ({
  message: `(#100) The parameter ${name} is required`,
  code: 100,
});
