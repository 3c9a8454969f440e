/**
 * The ACL rules of the Redis user Berth connects as (after `user berth on
 * >password`): every key and channel and what the events stream and BullMQ
 * need, but none of the commands that turn a Redis password into a shell on
 * the Redis host or wipe it (CONFIG, MODULE, DEBUG, FLUSHALL, SHUTDOWN...:
 * Redis's @admin and @dangerous categories), INFO and CLIENT SETNAME given
 * back because BullMQ asks the server's version and names its connections.
 * The deploy files use these rules; a test checks they match.
 */
export const REDIS_ACL_RULES = '~* &* +@all -@admin -@dangerous +info +client|setname +client|getname';
