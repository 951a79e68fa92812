//! The demo merchant's webhook receiver for `cargo xtask dev`: it verifies every delivery with
//! `shared::webhook` (as a Rust merchant would) and lists what it accepted for the shop page.

use crate::Result;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Default)]
pub struct Receiver {
    secret: Arc<Mutex<String>>,
    events: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    /// Listens on 127.0.0.1:`port` in a background thread.
    pub fn start(port: u16) -> Result<Receiver> {
        let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("webhook receiver on port {port}: {e}"))?;
        let receiver = Receiver::default();
        let shared = receiver.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = shared.serve(stream);
            }
        });
        Ok(receiver)
    }

    pub fn set_secret(&self, secret: String) {
        if let Ok(mut s) = self.secret.lock() {
            *s = secret;
        }
    }

    fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut request_line = String::new();
        reader.read_line(&mut request_line)?;
        let (mut length, mut signature) = (0usize, String::new());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0).min(1 << 20),
                    "stripe-signature" => signature = value.trim().to_owned(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        let (status, reply) = if request_line.starts_with("POST /webhooks") {
            self.accept(&body, &signature)
        } else if request_line.starts_with("GET /events") {
            let events = self.events.lock().map(|e| e.clone()).unwrap_or_default();
            ("200 OK", Value::Array(events).to_string())
        } else {
            ("404 Not Found", "{}".to_owned())
        };
        let mut out = stream;
        write!(
            out,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
            reply.len()
        )
    }

    fn accept(&self, body: &[u8], signature: &str) -> (&'static str, String) {
        let secret = self.secret.lock().map(|s| s.clone()).unwrap_or_default();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        if let Err(e) = shared::webhook::stripe_verify(body, signature, &[secret.as_str()], now, shared::webhook::DEFAULT_TOLERANCE_SECS) {
            return ("400 Bad Request", json!({ "error": e.message() }).to_string());
        }
        let Ok(event) = serde_json::from_slice::<Value>(body) else {
            return ("400 Bad Request", json!({ "error": "not JSON" }).to_string());
        };
        if let Ok(mut events) = self.events.lock() {
            // Deliveries are at-least-once: process each event id once.
            if !events.iter().any(|e| e["id"] == event["id"]) {
                events.push(json!({
                    "id": event["id"], "type": event["type"], "created": event["created"],
                    "object": event["data"]["object"]["id"], "status": event["data"]["object"]["status"], "verified": true,
                }));
            }
        }
        ("200 OK", "{\"received\":true}".to_owned())
    }
}

/// A minimal HTTP/1.1 call to the local gateway with the secret key.
pub fn gateway_call(port: u16, key: &str, method: &str, path: &str, form: &str) -> Result<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).map_err(|e| format!("gateway answered {path} with non-JSON: {e}"))
}

/// Registers the receiver as a webhook endpoint, replacing earlier ones at the same URL (their
/// secrets are gone with the previous run).
pub fn register(gateway_port: u16, secret_key: &str, url: &str) -> Result<String> {
    let existing = gateway_call(gateway_port, secret_key, "GET", "/v1/webhook_endpoints?limit=100", "")?;
    for endpoint in existing["data"].as_array().into_iter().flatten().filter(|e| e["url"] == url) {
        if let Some(id) = endpoint["id"].as_str() {
            gateway_call(gateway_port, secret_key, "DELETE", &format!("/v1/webhook_endpoints/{id}"), "")?;
        }
    }
    let created = gateway_call(
        gateway_port,
        secret_key,
        "POST",
        "/v1/webhook_endpoints",
        &format!("url={}&enabled_events[]=*&description=demo+shop", url.replace(':', "%3A").replace('/', "%2F")),
    )?;
    created["secret"].as_str().map(str::to_owned).ok_or_else(|| format!("registering the demo webhook endpoint failed: {created}"))
}
