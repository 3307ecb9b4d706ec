#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Plain HTTPS on 443 is no RD Gateway (issue 17, recognition by shape without
# keys): a Python HTTPS server in a network namespace of its own, and clients
# doing what web clients do -- curl fetching pages (it offers ALPN), curl
# downloading 2 MB at a limited rate (a long one-way connection), a Python
# client without ALPN making several small requests on one kept-alive
# connection -- captured with tcpdump.  `rdpscope analyze` must report no
# gateway object, and must have seen the TLS connections.
#
#   tests/lab/https_not_gateway.sh RDPSCOPE
# Root only (network namespace rdpscope-https-neg); exit 77 (skip) otherwise.
# Run it under flock /work/wt/lab.lock like the other lab tests.
set -euo pipefail
RDPSCOPE=${1:?usage: https_not_gateway.sh RDPSCOPE}
[[ $(id -u) == 0 ]] || { echo "skip: needs root"; exit 77; }
for t in ip tcpdump openssl python3 curl tshark; do
    command -v "$t" >/dev/null || { echo "skip: $t missing"; exit 77; }
done
NS=rdpscope-https-neg
dir=$(mktemp -d)
server_pid='' tcpdump_pid=''
cleanup() {
    [[ -n $tcpdump_pid ]] && kill "$tcpdump_pid" 2>/dev/null || true
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
in_ns() { ip netns exec "$NS" "$@"; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 1 \
    -subj /CN=www.example.test >/dev/null 2>&1
mkdir "$dir/www"
echo '<html><body>hello</body></html>' >"$dir/www/index.html"
head -c 2000000 /dev/urandom >"$dir/www/big.bin"

in_ns timeout 60 python3 - "$dir" <<'PY' &
import http.server, ssl, sys, functools
d = sys.argv[1]
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 443), functools.partial(H, directory=d + "/www"))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/cert.pem", d + "/key.pem")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
server_pid=$!
in_ns timeout 60 tcpdump -i lo -U -Z root -w "$dir/https.pcap" 'tcp port 443' 2>/dev/null &
tcpdump_pid=$!
for _ in $(seq 50); do
    in_ns curl -ksf -o /dev/null https://127.0.0.1/ 2>/dev/null && break
    sleep 0.1
done

for _ in 1 2 3; do in_ns curl -ks -o /dev/null https://127.0.0.1/index.html; done
in_ns timeout 20 curl -ks -o /dev/null --limit-rate 600k https://127.0.0.1/big.bin
in_ns timeout 20 python3 - <<'PY'
import http.client, ssl, time
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
c = http.client.HTTPSConnection("127.0.0.1", 443, context=ctx)  # no ALPN offered
for _ in range(10):
    c.request("GET", "/index.html")
    c.getresponse().read()
    time.sleep(0.2)
c.close()
PY
sleep 1
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null || true
tcpdump_pid=''

hellos=$(tshark -r "$dir/https.pcap" -Y 'tls.handshake.type==1' 2>/dev/null | wc -l)
if ((hellos < 5)); then
    echo "FAIL: the capture holds $hellos ClientHellos, expected 5 and more (the test did not run its clients)"
    exit 1
fi
out=$("$RDPSCOPE" analyze --format json "$dir/https.pcap")
if grep -q '"type":"gateway"' <<<"$out"; then
    echo "FAIL: plain HTTPS reported as an RD Gateway:"
    grep '"type":"gateway"' <<<"$out"
    exit 1
fi
echo "ok: $hellos TLS connections on 443, no gateway reported"
