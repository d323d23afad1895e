//! A small Chrome DevTools Protocol client over one WebSocket, reading every message as
//! `serde_json::Value`.
//!
//! Why our own: typed CDP crates pin a protocol revision and silently drop events a newer Chromium
//! sends with renamed fields (chromiumoxide 0.9.1 loses most `requestWillBeSentExtraInfo` events
//! from Chromium 156). Reading JSON keeps every event, whatever the browser version.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// An event from the browser: method, params, and the flattened session it belongs to.
#[derive(Debug, Clone)]
pub struct Event {
    /// e.g. "Network.requestWillBeSent".
    pub method: String,
    /// Event parameters.
    pub params: Value,
    /// Session id (None for browser-level events).
    pub session: Option<String>,
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

/// Lock a map shared with the reader task. A panic while it was held cannot leave it half
/// updated (every critical section is one insert, remove or retain), so a poisoned lock is used
/// as is: one panic must not turn every later page of the scan into a second panic.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
type Listeners = Arc<Mutex<Vec<mpsc::UnboundedSender<Event>>>>;

/// A connection to the browser endpoint (`ws://127.0.0.1:PORT/devtools/browser/…`).
#[derive(Clone)]
pub struct Cdp {
    out: mpsc::UnboundedSender<Message>,
    next_id: Arc<AtomicU64>,
    pending: Pending,
    listeners: Listeners,
    /// Commands that take longer than this fail instead of hanging a page.
    command_timeout: Duration,
    /// Set by the reader when the browser's connection ends.
    closed: Arc<AtomicBool>,
}

impl Cdp {
    /// Connect and start the reader and writer tasks.
    pub async fn connect(ws_url: &str) -> Result<Cdp, String> {
        let (ws, _) = tokio_tungstenite::connect_async(ws_url)
            .await
            .map_err(|e| {
                format!("cannot connect to the browser's DevTools endpoint {ws_url}: {e}")
            })?;
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                if sink.send(msg).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let listeners: Listeners = Arc::default();
        let closed = Arc::new(AtomicBool::new(false));
        let (p, l, c) = (pending.clone(), listeners.clone(), closed.clone());
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let text = match msg {
                    Message::Text(t) => t.to_string(),
                    Message::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                    Message::Close(_) => break,
                    _ => continue,
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                if let Some(id) = v.get("id").and_then(Value::as_u64) {
                    if let Some(tx) = lock(&p).remove(&id) {
                        let r = match v.get("error") {
                            Some(e) => Err(e
                                .get("message")
                                .and_then(Value::as_str)
                                .unwrap_or("CDP error")
                                .to_string()),
                            None => Ok(v.get("result").cloned().unwrap_or(Value::Null)),
                        };
                        let _ = tx.send(r);
                    }
                } else if let Some(method) = v.get("method").and_then(Value::as_str) {
                    let ev = Event {
                        method: method.to_string(),
                        params: v.get("params").cloned().unwrap_or(Value::Null),
                        session: v
                            .get("sessionId")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    };
                    lock(&l).retain(|tx| tx.send(ev.clone()).is_ok());
                }
            }
            // The browser went away: fail every waiting command so no page hangs.
            c.store(true, Ordering::SeqCst);
            for (_, tx) in lock(&p).drain() {
                let _ = tx.send(Err("browser connection closed".into()));
            }
            lock(&l).clear();
        });
        Ok(Cdp {
            out,
            next_id: Arc::new(AtomicU64::new(1)),
            pending,
            listeners,
            command_timeout: Duration::from_secs(30),
            closed,
        })
    }

    /// Receive every event from now on (drop the receiver to unsubscribe).
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&self.listeners).push(tx);
        rx
    }

    /// Whether the connection to the browser has ended (it crashed or was killed).
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Send a command (to a flattened session when `session` is given) and wait for its result.
    pub async fn call(
        &self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<Value, String> {
        self.call_within(method, params, session, self.command_timeout)
            .await
    }

    /// [`Cdp::call`] that gives up at `deadline` (or after the command timeout, if sooner): a
    /// page whose script never yields stalls every command sent to it, and its visit must end on
    /// time all the same.
    pub async fn call_until(
        &self,
        method: &str,
        params: Value,
        session: Option<&str>,
        deadline: std::time::Instant,
    ) -> Result<Value, String> {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        self.call_within(method, params, session, left.min(self.command_timeout))
            .await
    }

    async fn call_within(
        &self,
        method: &str,
        params: Value,
        session: Option<&str>,
        wait: Duration,
    ) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id, tx);
        if self.out.send(Message::Text(msg.to_string())).is_err() {
            lock(&self.pending).remove(&id);
            return Err("browser connection closed".into());
        }
        match tokio::time::timeout(wait, rx).await {
            Ok(Ok(r)) => r.map_err(|e| format!("{method}: {e}")),
            Ok(Err(_)) => Err("browser connection closed".into()),
            Err(_) => {
                lock(&self.pending).remove(&id);
                Err(format!(
                    "{method}: no answer from the browser within {:.1} s",
                    wait.as_secs_f64()
                ))
            }
        }
    }

    /// Send a command without waiting for its answer (e.g. resuming a paused child target).
    pub fn fire(&self, method: &str, params: Value, session: Option<&str>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let _ = self.out.send(Message::Text(msg.to_string()));
    }
}
