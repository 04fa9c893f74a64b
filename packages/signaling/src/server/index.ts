export type { Authenticate, AuthRequest } from './auth.js';
export type { RateLimit } from './rate-limit.js';
export { type ServerLogEvent, SignalingServer, type SignalingServerOptions } from './server.js';
