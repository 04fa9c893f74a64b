export { type ArenaEvents, ArenaGame, type ArenaGameOptions, type ShotCounters } from './arena-game.js';
export { ArenaService, type ShotEvent, type ShotResult } from './arena-service.js';
export { Bot, type BotOptions } from './bot.js';
export { ArenaError, type ArenaErrorCode } from './errors.js';
export { type NetSample, NetStats } from './net-stats.js';
export { move, Player } from './player.js';
export { ARENA, type MoveInput, TICK_RATE } from './rules.js';
export { Scoreboard, type ScoreLine } from './scoreboard.js';
