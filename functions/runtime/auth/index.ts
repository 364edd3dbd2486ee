export { applyAuth, joinAuthParameters, resolveAuthUrl, type AppliedAuth, type AuthOptions } from './apply-auth.js';
export { discoverOpenId, pickClientAuthMethod, type OpenIdConfiguration } from './discover-openid.js';
export { requestToken, type AuthCall, type ClientAuthMethod, type TokenRequest, type TokenTransport } from './request-token.js';
export { TokenCache, type TokenCacheOptions } from './token-cache.js';
