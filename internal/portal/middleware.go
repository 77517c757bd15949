package portal

import (
	"net/http"
)

// contentSecurityPolicy allows nothing but the portal's own stylesheet and
// images: the pages need no script, and forms may only submit to the
// portal itself. connect-src 'self' lets tools that fetch from the page's
// origin (Lighthouse reads robots.txt so) do so; no script can use it.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// maxBodyBytes bounds request bodies. The portal only serves GET and HEAD,
// which carry none, so anything larger is refused without reading it.
const maxBodyBytes = 1 << 10

// securityHeaders sets the headers every response carries, including
// errors and 404s.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		next.ServeHTTP(w, r)
	})
}

// readOnly refuses every method but GET and HEAD and bounds the body.
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Methode nicht erlaubt", http.StatusMethodNotAllowed)
			return
		}
		if r.ContentLength > maxBodyBytes {
			http.Error(w, "Anfrage zu groß", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		next.ServeHTTP(w, r)
	})
}
