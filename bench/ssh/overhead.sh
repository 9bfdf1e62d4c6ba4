#!/usr/bin/env bash
# Deploy time over SSH against the same deploy on the local platform (issue: SSH servers, target ≤ +1.5 s).
# A real sshd on 127.0.0.2 with its own user and key-only login, the tiny dependency-free app, N deploys of each kind
# alternated (local, ssh, local, ssh...) so load on the box hits both alike. Prints each run and the medians.
# Needs root and openssh-server; run from the repository after `npm run build`.  Usage: bench/ssh/overhead.sh [N]
set -euo pipefail
N=${1:-5}
repo=$(cd "$(dirname "$0")/../.." && pwd)
cli="node $repo/dist/bin/deploy.js"
work=$(mktemp -d /tmp/shipgate-bench-ssh-XXXX); chmod 755 "$work"
user="sg-bench-$$"
cleanup() {
  (cd "$work/app" && $cli stop staging --yes >/dev/null 2>&1; $cli stop local --yes >/dev/null 2>&1) || true
  [ -f "$work/sshd.pid" ] && kill "$(cat "$work/sshd.pid")" 2>/dev/null || true
  pkill -KILL -u "$user" 2>/dev/null || true; userdel "$user" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/home/.ssh" /run/sshd
useradd -M -d "$work/home" -s /bin/sh "$user"; usermod -p '*' "$user"
ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"; ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
cp "$work/client_key.pub" "$work/home/.ssh/authorized_keys"; chown -R "$user:" "$work/home"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.2",()=>{console.log(s.address().port);s.close()})')
cat >"$work/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.2
HostKey $work/host_key
PasswordAuthentication no
StrictModes no
UsePAM no
AllowUsers $user
PidFile $work/sshd.pid
CFG
/usr/sbin/sshd -f "$work/sshd_config"
echo "[127.0.0.2]:$port $(cut -d' ' -f1,2 "$work/host_key.pub")" >"$work/known_hosts"
cat >"$work/ssh_config" <<CFG
Host bench
  HostName 127.0.0.2
  Port $port
  User $user
  IdentityFile $work/client_key
  UserKnownHostsFile $work/known_hosts
CFG
export SHIPGATE_SSH_CONFIG="$work/ssh_config"

free() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
mkdir "$work/app" && cd "$work/app"
cp "$repo/tests/platforms/local/fixtures/tiny-app.mjs" server.mjs
cat >deploy.config.yaml <<CFG
app: bench
start: node server.mjs
tests: false
migrations: none
verify: { smoke: ["GET /"], window: 1s, minRequests: 1 }
keepWarm: 1m
guard: 0s
environments:
  local: { port: $(free) }
  staging: { port: $(free), hosts: [bench] }
CFG
git init -q && git add -A && git -c user.email=b@b -c user.name=b commit -qm app
# First deploys: shipgate is copied to the host, both runtimes start. Not counted.
$cli local --json >/dev/null 2>&1; $cli staging --json >/dev/null 2>&1

declare -a L S
for i in $(seq 1 "$N"); do
  echo "$i" >VERSION; git add -A; git -c user.email=b@b -c user.name=b commit -qm "v$i"
  t0=$(date +%s%N); $cli local --json >/dev/null 2>&1; t1=$(date +%s%N)
  $cli staging --json >/dev/null 2>&1; t2=$(date +%s%N)
  L+=($(( (t1-t0)/1000000 ))); S+=($(( (t2-t1)/1000000 )))
  echo "run $i: local ${L[-1]} ms, ssh ${S[-1]} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ml=$(median "${L[@]}"); ms=$(median "${S[@]}")
echo "median: local $ml ms, ssh $ms ms, ssh overhead $((ms-ml)) ms (target ≤ 1500), load $(cut -d' ' -f1-3 /proc/loadavg)"
