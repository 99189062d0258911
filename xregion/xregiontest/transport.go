package xregiontest

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
)

// Transport returns an [http.RoundTripper] that serves each request with h
// in the calling goroutine, without a network: for tests that run a real
// SDK client against the HTTP face inside testing/synctest, where sockets
// would block outside the bubble. Give it to the client config's
// HTTPTransport with any host, such as "http://source.invalid".
//
// A reply the handler drops (an [HTTPFault] with Drop) reaches the client as
// a connection reset by the peer, the error a real connection gives. A
// request whose context is done before or while it is served fails with the
// context's error.
func Transport(h http.Handler) http.RoundTripper { return handlerTransport{h} }

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	sr := r.Clone(ctx)
	sr.Body = io.NopCloser(bytes.NewReader(body))
	sr.ContentLength = int64(len(body))
	sr.Host, sr.RequestURI, sr.RemoteAddr = r.URL.Host, r.URL.RequestURI(), "192.0.2.1:40000"
	rec := httptest.NewRecorder()
	if dropped := serveRecover(t.h, rec, sr); dropped {
		// why: what a client reads when a load balancer or a crashed
		// server resets the connection (see drop).
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := rec.Result()
	res.Request = r
	return res, nil
}

// serveRecover serves r with h and reports whether h aborted the reply.
func serveRecover(h http.Handler, rw http.ResponseWriter, r *http.Request) (dropped bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			dropped = true
		}
	}()
	h.ServeHTTP(rw, r)
	return false
}
