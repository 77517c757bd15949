package portal

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// minGzipSize is the smallest body worth compressing.
const minGzipSize = 1 << 10

// encodedBody is a response body and, once computed, its gzip encoding.
type encodedBody struct {
	plain, gzipped []byte
	// joined tells that gzipped was joined from pieces compressed on
	// their own (frame.go): cheap to make, but larger than the body
	// compressed as a whole.
	joined bool
}

// gzipWriters are reused, one pool per level: a new writer allocates and
// clears about 800 KiB, which costs more than compressing a page of search
// results.
var gzipWriters = map[int]*sync.Pool{}

func init() {
	for _, level := range []int{gzip.DefaultCompression, gzip.BestSpeed} {
		gzipWriters[level] = &sync.Pool{New: func() any {
			w, _ := gzip.NewWriterLevel(nil, level)
			return w
		}}
	}
}

// withGzip computes the gzip encoding if the body is worth compressing:
// with the default level for bodies that are compressed once and sent
// often (the start page), with the fastest for search results.
func (b encodedBody) withGzip(level int) encodedBody {
	if b.gzipped == nil && len(b.plain) >= minGzipSize {
		var buf bytes.Buffer
		buf.Grow(len(b.plain) / 4)
		zw := gzipWriters[level].Get().(*gzip.Writer)
		zw.Reset(&buf)
		// Writing to a bytes.Buffer cannot fail.
		_, _ = zw.Write(b.plain)
		_ = zw.Close()
		gzipWriters[level].Put(zw)
		b.gzipped = buf.Bytes()
	}
	return b
}

// cachedBody renders a body once per snapshot: the unfiltered page and
// API response are by far the most frequent and, for a large
// administration, the most expensive ones.
type cachedBody struct {
	once sync.Once
	body encodedBody
	err  error
}

func (c *cachedBody) get(render func() ([]byte, error)) (encodedBody, error) {
	c.once.Do(func() {
		plain, err := render()
		c.body, c.err = encodedBody{plain: plain}.withGzip(gzip.DefaultCompression), err
	})
	return c.body, c.err
}

// bodyKind is what a response body is: its content type, and how a failure
// to produce it is logged and told to the client.
type bodyKind struct {
	contentType, failure, errorText string
}

var (
	htmlBody = bodyKind{contentType: "text/html; charset=utf-8", failure: "rendering page", errorText: "Interner Fehler"}
	jsonBody = bodyKind{contentType: "application/json; charset=utf-8", failure: "encoding JSON response", errorText: "internal error"}
)

// respond sends b, or a clean 500 if err says producing it failed.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, code int, kind bodyKind, b encodedBody, err error) {
	if err != nil {
		s.log.Error(kind.failure, "error", err)
		http.Error(w, kind.errorText, http.StatusInternalServerError)
		return
	}
	write(w, r, code, kind.contentType, b)
}

// write sends b with status code, gzip-encoded if it is large enough and
// the client accepts it.
func write(w http.ResponseWriter, r *http.Request, code int, contentType string, b encodedBody) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Encoding")
	data := b.plain
	if len(b.plain) >= minGzipSize && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		data = b.withGzip(gzip.BestSpeed).gzipped
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			return !refused(params)
		}
	}
	return false
}

// refused tells that a coding's parameters give it the weight 0 ("q=0",
// "Q=0.", "q=0.000"; RFC 9110, 12.4.2): the client does not take it.
func refused(params string) bool {
	for param := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(param, "=")
		if strings.EqualFold(strings.TrimSpace(name), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			return err == nil && q == 0
		}
	}
	return false
}
