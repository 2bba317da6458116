// Command mockconsole serves the mock LINE Developers console
// (internal/mockconsole) and prints its URL on stdout.
//
//	mockconsole [-addr 127.0.0.1:0] [-fixed] [-outage-after N] [-visit-cookie]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/channelguard/channelguard/internal/mockconsole"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (port 0: a free port)")
	fixed := flag.Bool("fixed", false, "shape responses per role (without: the 2019 bug)")
	outage := flag.Int("outage-after", 0, "answer 503 to every request after the first `N` (0: never)")
	visit := flag.Bool("visit-cookie", false, "set a new HttpOnly cookie on every /api/ response")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("mockconsole: ")

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Handler:           mockconsole.New(mockconsole.Options{Fixed: *fixed, OutageAfter: *outage, VisitCookie: *visit}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Printf("http://%s/\n", ln.Addr())
	os.Stdout.Sync()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
