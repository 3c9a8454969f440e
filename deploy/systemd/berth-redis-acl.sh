#!/bin/sh
# ExecStartPre of berth-redis.service, as root: the users of Berth's Redis.
# Makes the password on first start (/etc/berth/redis.password, 0600 root,
# which the services read through BERTH_REDIS_PASSWORD_FILE) and writes the
# ACL file redis-server reads: the default user off, user berth on with that
# password and the rules below (every key; none of CONFIG, MODULE, DEBUG and
# the rest of what turns a Redis password into a shell; @berth/jobs's
# REDIS_ACL_RULES, which its tests prove enough for events and queues).
set -eu
pwfile=/etc/berth/redis.password
acl=/run/berth-redis/users.acl
rules='~* &* +@all -@admin -@dangerous +info +client|setname +client|getname'

umask 077
if [ ! -s "$pwfile" ]; then
  install -d -m 0755 "$(dirname "$pwfile")"
  openssl rand -hex 32 > "$pwfile.new"
  mv "$pwfile.new" "$pwfile"
fi
pw=$(tr -d '\r\n' < "$pwfile")
case $pw in
  ''|*[!A-Za-z0-9._~-]*) echo "$pwfile: use letters, digits and ._~- only (openssl rand -hex 32)" >&2; exit 1 ;;
esac
printf 'user default off\nuser berth on >%s %s\n' "$pw" "$rules" > "$acl.new"
chown redis:redis "$acl.new"
mv "$acl.new" "$acl"
