#!/usr/bin/env python3
"""A workload for the multicluster example: HTTPS with SPIFFE mTLS. It requires a client certificate that chains to
the mesh's root, and answers with its own name and cluster, the caller's SPIFFE ID and the server name (SNI) the caller
sent, so the output shows that the TLS session ran from the caller to this workload, through the gateways untouched."""
import argparse
import http.server
import ssl
import threading

server_names = {}
lock = threading.Lock()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--name", required=True, help="instance name, e.g. reviews-v2a")
    parser.add_argument("--cluster", required=True, help="the cluster it runs in")
    parser.add_argument("--listen", required=True, help="host:port")
    parser.add_argument("--cert", required=True, help="SVID chain (PEM)")
    parser.add_argument("--key", required=True, help="SVID key (PEM)")
    parser.add_argument("--ca", required=True, help="the mesh root (PEM)")
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    context.load_verify_locations(args.ca)
    context.verify_mode = ssl.CERT_REQUIRED
    # Like an Istio sidecar's inbound: never select "istio" itself; HTTP/1.1 when the caller offers it.
    context.set_alpn_protocols(["http/1.1"])

    def remember_server_name(sock, name, _context):
        with lock:
            server_names[id(sock)] = name

    context.sni_callback = remember_server_name

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            certificate = self.connection.getpeercert() or {}
            uris = [value for kind, value in certificate.get("subjectAltName", ()) if kind == "URI"]
            with lock:
                sni = server_names.pop(id(self.connection), None)
            body = (f"hello from {args.name} in {args.cluster}: caller {uris[0] if uris else '(no SPIFFE ID)'}, "
                    f"server name {sni}\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *values):
            pass

    host, port = args.listen.rsplit(":", 1)
    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    # The handshake happens in the request's thread, on its first read.
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print(f"{args.name} ({args.cluster}) listening on {args.listen}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
