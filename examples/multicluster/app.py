#!/usr/bin/env python3
"""The reviews app of the multicluster example: plain HTTP on the pod's loopback, behind its meshproxy sidecar, which
terminates the mesh mTLS. It answers with its own name and cluster and the caller's SPIFFE ID, which it learns only from
the x-forwarded-client-cert header its sidecar adds after verifying the caller's SVID (URI=...)."""
import argparse
import http.server


def caller(xfcc):
    # The sidecar appends its element last: By=<its own ID>;Hash=...;Subject="";URI=<the caller's ID>
    if not xfcc:
        return "(no x-forwarded-client-cert: not called over mesh mTLS)"
    for field in xfcc.split(",")[-1].split(";"):
        if field.startswith("URI="):
            return field[len("URI="):]
    return "(no URI in x-forwarded-client-cert)"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--name", required=True, help="instance name, e.g. reviews-v2a")
    parser.add_argument("--cluster", required=True, help="the cluster it runs in")
    parser.add_argument("--listen", required=True, help="host:port")
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"hello from {args.name} in {args.cluster}: caller {caller(self.headers.get('x-forwarded-client-cert'))}\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *values):
            pass

    host, port = args.listen.rsplit(":", 1)
    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    print(f"{args.name} ({args.cluster}) listening on {args.listen}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
