package runtimeapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"time"
)

// stopWait bounds how long stopping a process waits for it to exit.
const stopWait = 5 * time.Second

// Process is a function's bootstrap started by Server.Start.
type Process struct {
	started time.Time // when it was executed: the start of its cold start
	srv     *Server
	cmd     *exec.Cmd
	out     lockedBuffer
	exited  chan struct{} // closed once the process has exited and err is set
	err     error
}

// Start executes the bootstrap at path as Lambda does, with only the
// environment Env returns followed by env (KEY=value; later entries win):
// nothing is inherited from the test's own environment. Its stdout and
// stderr are kept (see Output). The process is killed when ctx ends and
// when the test ends; a Server starts at most one process.
func (s *Server) Start(ctx context.Context, path string, env ...string) (*Process, error) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return nil, errors.New("runtimeapi: the server has started a process already")
	}
	p := &Process{srv: s, exited: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, path)
	p.cmd.Env = append(s.Env(), env...)
	p.cmd.Stdout = &p.out
	p.cmd.Stderr = &p.out
	p.cmd.WaitDelay = stopWait
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("runtimeapi: starting %s: %w", path, err)
	}
	s.proc = p
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	s.tb.Cleanup(func() {
		p.stop()
		if s.tb.Failed() {
			s.tb.Logf("output of %s:\n%s", path, p.Output())
		}
	})
	return p, nil
}

// WaitReady waits until the function first asks for an invocation and
// returns its cold start: the time from its exec to that request. It fails
// when the process exits first (as a function that cannot start does), or
// when ctx ends.
func (p *Process) WaitReady(ctx context.Context) (time.Duration, error) {
	select {
	case <-p.srv.ready:
		p.srv.mu.Lock()
		defer p.srv.mu.Unlock()
		return p.srv.firstNext.Sub(p.started), nil
	case <-p.exited:
		return 0, fmt.Errorf("runtimeapi: exited before asking for an invocation: %w", p.exitError())
	case <-ctx.Done():
		return 0, fmt.Errorf("runtimeapi: not ready: %w", ctx.Err())
	}
}

// Wait waits for the process to exit and returns its exit error, as
// exec.Cmd.Wait does, or ctx's error when ctx ends first.
func (p *Process) Wait(ctx context.Context) error {
	select {
	case <-p.exited:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pid returns the process id, for reading the process's own statistics
// (such as /proc/<pid>/status on Linux) while it runs.
func (p *Process) Pid() int {
	return p.cmd.Process.Pid
}

// Output returns what the process has written to stdout and stderr so far.
func (p *Process) Output() string {
	return p.out.String()
}

// exitError describes how the process ended; call it once exited is closed.
func (p *Process) exitError() error {
	if p.err != nil {
		return p.err
	}
	return errors.New("exit status 0")
}

// stop kills the process if it is still running and waits for it, at most
// stopWait.
func (p *Process) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	t := time.NewTimer(stopWait)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
	}
}

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of stdout
// and stderr.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
