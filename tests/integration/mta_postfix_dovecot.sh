#!/bin/bash
# End to end with real servers, all on loopback: a private Dovecot (POP3 and
# IMAP, logging to a file), a private Postfix (every transport discard:), and
# the real exact daemon between them, once per map type given (lmdb, hash,
# cdb). Clients are curl, bound to 127.0.0.2/.3/.4.
#   mta_postfix_dovecot.sh EXACT SRC TYPE...
set -u
exact=$1 src=$2
shift 2
types=("$@")
. "$(dirname "$0")/lib.sh"
for tool in postfix postmap dovecot curl; do
  command -v $tool >/dev/null || { echo "FAIL $tool is not installed (tools/setup installs it)"; exit 1; }
done

E=$(mktemp -d /tmp/exact-mta-XXXXXX)
chmod 755 "$E"
base_port=$((30000 + $$ % 20000))
smtp_port=$base_port pop3_port=$((base_port + 1)) imap_port=$((base_port + 2))
exact_pid=
cleanup() {
  [ -n "$exact_pid" ] && kill "$exact_pid" 2>/dev/null && wait "$exact_pid" 2>/dev/null
  postfix -c "$E/pf/conf" stop >/dev/null 2>&1
  [ -f "$E/dc/run/master.pid" ] && kill "$(cat "$E/dc/run/master.pid")" 2>/dev/null
  sleep 0.5
  rm -rf "$E"
}
trap cleanup EXIT

# --- Dovecot: passwd-file user alice, log to a file exact follows.
mkdir -p "$E/dc/run" "$E/dc/state" "$E/dc/home"
: > "$E/dc/dovecot.log"
echo 'alice:{PLAIN}secret::::::' > "$E/dc/passwd"
chmod 644 "$E/dc/passwd"
chown nobody:nogroup "$E/dc/home"
cat > "$E/dc/dovecot.conf" <<CONF
base_dir = $E/dc/run
state_dir = $E/dc/state
log_path = $E/dc/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$E/dc/home/%u/Maildir
passdb {
  driver = passwd-file
  args = $E/dc/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$E/dc/home/%u
}
service imap-login {
  inet_listener imap {
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $pop3_port
  }
  inet_listener pop3s {
    port = 0
  }
}
CONF

# --- Postfix: a private instance, nothing in /etc/postfix touched.
start_postfix() {  # start_postfix MAP
  mkdir -p "$E/pf/conf" "$E/pf/spool" "$E/pf/data"
  chown postfix "$E/pf/data"
  sed -e "s|^smtp      inet.*|127.0.0.1:$smtp_port inet n - n - - smtpd|" \
      -e 's|^\([a-z]* *[a-z-]* *[-ny] *[-ny] *\)y|\1n|' \
      /usr/share/postfix/master.cf.dist > "$E/pf/conf/master.cf"
  cat > "$E/pf/conf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $E/pf/spool
data_directory = $E/pf/data
maillog_file = $E/pf/maillog
maillog_file_prefixes = $E
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
myhostname = relay.test
mydestination = relay.test
smtpd_relay_restrictions = permit_mynetworks, check_client_access $1, reject_unauth_destination
default_transport = discard:e2e
relay_transport = discard:e2e
local_transport = discard:e2e
alias_maps =
alias_database =
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
CONF
  postfix -c "$E/pf/conf" check >/dev/null 2>&1
  postfix -c "$E/pf/conf" start >/dev/null 2>&1
}

printf 'Subject: t\r\n\r\nt\r\n' > "$E/msg"
relays() {  # relays SOURCE: 0 if Postfix accepts relaying from SOURCE
  curl -s --max-time 10 --interface "$1" --url "smtp://127.0.0.1:$smtp_port" \
    --mail-from s@client.example --mail-rcpt r@external.example -T "$E/msg" 2>/dev/null
}
refused() {  # refused SOURCE: Postfix answers "Relay access denied"
  curl -sv --max-time 10 --interface "$1" --url "smtp://127.0.0.1:$smtp_port" \
    --mail-from s@client.example --mail-rcpt r@external.example -T "$E/msg" 2>&1 |
    grep -q "554 5.7.1 .*Relay access denied"
}
pop3_login() { curl -s --max-time 10 --interface "$1" -u alice:secret "pop3://127.0.0.1:$pop3_port/" >/dev/null; }
imap_login() { curl -s --max-time 10 --interface "$1" -u alice:secret "imap://127.0.0.1:$imap_port/" -X NOOP >/dev/null; }

dovecot -c "$E/dc/dovecot.conf" || { echo "FAIL dovecot did not start"; exit 1; }

for type in "${types[@]}"; do
  case $type in
    lmdb) authtype=lmdb map="lmdb:$E/map/relay" ;;
    hash) authtype=db map="hash:$E/map/relay" ;;
    cdb) authtype=cdb map="cdb:$E/map/relay" ;;
    socketmap) authtype=text map="socketmap:unix:$E/map/socket:relay" ;;
  esac
  rm -rf "$E/map"
  cat > "$E/exact.conf" <<CONF
user postfix
group postfix
pidfile $E/exact.pid
maillog $E/dc/dovecot.log
serverdefs $src/conf/exact-servers.conf
server dovecot
authtype $authtype
authfile $E/map/relay
dumpfile $E/map/dump
timeout 8
CONF
  [ "$type" = socketmap ] && echo "socketmap unix:$E/map/socket" >> "$E/exact.conf"
  "$exact" -f -c "$E/exact.conf" 2>"$E/exact.$type.log" &
  exact_pid=$!
  started() { grep -q "info: started" "$E/exact.$type.log"; }
  check "[$type] exact starts" wait_until 20 started
  start_postfix "$map"
  postfix_up() { (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; }
  check "[$type] postfix listens on 127.0.0.1:$smtp_port" wait_until 30 postfix_up

  check "[$type] 127.0.0.3 is refused before any login" refused 127.0.0.3
  check "[$type] 127.0.0.2 is refused before any login" refused 127.0.0.2
  check "[$type] POP3 login from 127.0.0.2 succeeds" pop3_login 127.0.0.2
  check "[$type] after it, 127.0.0.2 may relay" wait_until 20 relays 127.0.0.2
  check "[$type] 127.0.0.3 still may not" refused 127.0.0.3
  check "[$type] IMAP login from 127.0.0.4 succeeds" imap_login 127.0.0.4
  check "[$type] after it, 127.0.0.4 may relay" wait_until 20 relays 127.0.0.4
  check "[$type] once the 8 s timeout passes, 127.0.0.2 is refused again" wait_until 30 refused 127.0.0.2

  check "[$type] Postfix's own log shows the refusals" grep -q "Relay access denied" "$E/pf/maillog"
  if [ "$type" != socketmap ]; then
    check "[$type] smtpd noticed the replaced map and restarted" \
      grep -q "has changed -- restarting" "$E/pf/maillog"
  fi
  postfix -c "$E/pf/conf" stop >/dev/null 2>&1
  kill "$exact_pid"; wait "$exact_pid"; exact_pid=
  sleep 1
  rm -rf "$E/pf"
done
finish
