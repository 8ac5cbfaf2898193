package napi

/*
#include "bridge.h"
*/
import "C"

import (
	"sync"
	"time"
)

// A channel carries (token, code) pairs from any goroutine to a JavaScript
// handler on the thread of one environment. There is one per environment,
// built on one threadsafe function and guarded by an environment cleanup
// hook: Node.js 20 and 22 abort the process when a per-call threadsafe
// function is used after its worker has died, while a single function whose
// users check a dead flag under a mutex is safe on every runtime.
type channel struct {
	mu      sync.Mutex
	tsfn    C.napi_threadsafe_function
	dead    bool
	pending int // waits in flight; touched only on the environment's thread

	// resend is nil unless OpenChannel was given a resend delay.
	resend *resender
}

// emptyToken marks the empty message that a resender queues to wake the
// event loop. Real tokens (the addon's tickets) start at 1.
const emptyToken = 0

var (
	channelsMu sync.Mutex
	channels   = map[uintptr]*channel{}
)

// ChannelHooks are the addon's callbacks for channel events.
type ChannelHooks struct {
	// Receive runs on the environment's thread before the handler is called
	// and reports whether to call it (false when the wait was cancelled).
	// When it returns true, the channel releases the Hold of that wait.
	Receive func(envID uintptr, token uint64, code int) bool
	// Drop runs on any thread for a message that can no longer be delivered
	// because the environment is gone, so the addon can undo its effect (for
	// example release a lock acquired on behalf of the dead thread).
	Drop func(envID uintptr, token uint64, code int)
	// Cleanup runs on the environment's thread when it shuts down.
	Cleanup func(envID uintptr)
}

var hooks ChannelHooks

// SetChannelHooks installs the addon's hooks; call it once at load.
func SetChannelHooks(h ChannelHooks) { hooks = h }

func pack(token uint64, code int) uint64 { return token<<8 | uint64(code&0xff) }
func unpack(packed uint64) (uint64, int) { return packed >> 8, int(packed & 0xff) }

// OpenChannel creates the environment's channel with handler as the function
// that receives (token, code). Calling it again on the same environment
// replaces nothing and returns nil. The threadsafe function starts unreferenced,
// so an idle thread can exit; Hold references it while waits are pending.
//
// A resendAfter above zero queues an empty message when messages stay unrun
// for that long, to wake an event loop that missed its wake-up (see
// resender). Zero turns that off.
func (e Env) OpenChannel(handler Value, resendAfter time.Duration) error {
	id := e.ID()
	channelsMu.Lock()
	defer channelsMu.Unlock()
	if _, ok := channels[id]; ok {
		return nil
	}
	ch := &channel{}
	if resendAfter > 0 {
		ch.resend = newResender(resendAfter, ch.sendEmpty)
	}
	check("napi_create_threadsafe_function", C.et_tsfn_create(e.raw, handler.raw, C.uintptr_t(id), &ch.tsfn))
	check("napi_unref_threadsafe_function", C.napi_unref_threadsafe_function(e.raw, ch.tsfn))
	// The cleanup hook is added after the threadsafe function, so it runs
	// first at teardown (hooks run in reverse order) and marks the channel
	// dead before Node.js finalizes the function.
	check("napi_add_env_cleanup_hook", C.et_add_cleanup_hook(e.raw, C.uintptr_t(id)))
	channels[id] = ch
	return nil
}

func channelOf(id uintptr) *channel {
	channelsMu.Lock()
	defer channelsMu.Unlock()
	return channels[id]
}

// Hold marks one more pending wait on this environment; the first keeps the
// thread's event loop alive. Call it on the environment's thread.
func (e Env) Hold() {
	ch := channelOf(e.ID())
	if ch == nil {
		return
	}
	ch.pending++
	if ch.pending == 1 {
		check("napi_ref_threadsafe_function", C.napi_ref_threadsafe_function(e.raw, ch.tsfn))
	}
}

// Release undoes one Hold. Call it on the environment's thread.
func (e Env) Release() {
	ch := channelOf(e.ID())
	if ch == nil || ch.pending == 0 {
		return
	}
	ch.pending--
	if ch.pending == 0 {
		check("napi_unref_threadsafe_function", C.napi_unref_threadsafe_function(e.raw, ch.tsfn))
	}
}

// Send queues (token, code) for the environment's handler from any thread. It
// returns false when the environment is gone or closing; the caller must then
// undo whatever the message stood for.
func Send(envID uintptr, token uint64, code int) bool {
	ch := channelOf(envID)
	if ch == nil {
		return false
	}
	ch.mu.Lock()
	if ch.dead {
		ch.mu.Unlock()
		return false
	}
	if ch.resend != nil {
		ch.resend.willQueue()
	}
	ok := C.et_tsfn_call(ch.tsfn, C.uint64_t(pack(token, code))) == C.napi_ok
	ch.mu.Unlock()

	if ch.resend != nil {
		if ok {
			ch.resend.queuedOne()
		} else {
			ch.resend.notQueued()
		}
	}
	return ok
}

// sendEmpty queues an empty message, which wakes the event loop and runs nothing.
// It returns false when the channel is closed.
func (ch *channel) sendEmpty() bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.dead {
		return false
	}
	return C.et_tsfn_call(ch.tsfn, C.uint64_t(pack(emptyToken, 0))) == C.napi_ok
}

//export etDeliver
func etDeliver(env C.napi_env, fn C.napi_value, packed C.uint64_t, envID C.uintptr_t) {
	token, code := unpack(uint64(packed))
	if token == emptyToken {
		return
	}
	if env != nil {
		if ch := channelOf(uintptr(envID)); ch != nil && ch.resend != nil {
			ch.resend.ranOne()
		}
	}
	if env == nil {
		// The threadsafe function is being finalized with messages queued.
		if hooks.Drop != nil {
			hooks.Drop(uintptr(envID), token, code)
		}
		return
	}
	e := Env{env}
	if hooks.Receive != nil && !hooks.Receive(uintptr(envID), token, code) {
		return
	}
	e.Release()
	args := [2]C.napi_value{e.Float(float64(token)).raw, e.Int(int64(code)).raw}
	var result C.napi_value
	// An exception thrown by the handler stays pending and is reported by the
	// runtime as uncaught, which is what a throwing callback should do.
	C.napi_call_function(env, e.Undefined().raw, fn, 2, &args[0], &result)
}

//export etEnvCleanup
func etEnvCleanup(envID C.uintptr_t) {
	id := uintptr(envID)
	channelsMu.Lock()
	ch := channels[id]
	delete(channels, id)
	channelsMu.Unlock()
	if ch == nil {
		return
	}
	ch.mu.Lock()
	ch.dead = true
	C.napi_release_threadsafe_function(ch.tsfn, C.napi_tsfn_abort)
	ch.mu.Unlock()
	if ch.resend != nil {
		ch.resend.stop()
	}
	if hooks.Cleanup != nil {
		hooks.Cleanup(id)
	}
}
