//! Child processes: running tools, starting the servers, and stopping them together.

use crate::{root, Result};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn cmd(program: &str) -> Command {
    Command::new(program)
}

pub fn run(command: &mut Command) -> Result {
    let status = command.status().map_err(|e| format!("{command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}

pub fn output(command: &mut Command) -> Result<String> {
    let out = command.stderr(Stdio::null()).output().map_err(|e| format!("{command:?}: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn port_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Environment that keeps wrangler offline: no telemetry, no update check.
pub fn quiet_wrangler(command: &mut Command) -> &mut Command {
    command
        .env("WRANGLER_SEND_METRICS", "false")
        .env("WRANGLER_SEND_ERROR_REPORTS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("NO_UPDATE_NOTIFIER", "1")
        .env("WRANGLER_LOG_SANITIZE", "true")
}

/// `wrangler dev` on the already-built gateway (no build step inside wrangler).
pub fn start_gateway(port: u16, persist: &Path) -> Result<Child> {
    let root = root();
    let mut command = cmd(&root.join("node_modules/.bin/wrangler").display().to_string());
    command
        .args(["dev", "--config", "edge-worker/wrangler.toml", "--ip", "127.0.0.1", "--port", &port.to_string()])
        .arg("--persist-to")
        .arg(persist)
        .args(["--show-interactive-dev-session=false", "--log-level", "warn"])
        .current_dir(&root)
        .stdin(Stdio::null());
    quiet_wrangler(&mut command).spawn().map_err(|e| format!("starting wrangler: {e}"))
}

pub fn start_shop(port: u16, gateway_port: u16, keys: &(String, String), webhooks_url: &str) -> Result<Child> {
    cmd("node")
        .arg("www/shop/server.mjs")
        .current_dir(root())
        .env("SHOP_PORT", port.to_string())
        .env("GATEWAY_URL", format!("http://127.0.0.1:{gateway_port}"))
        .env("TESSERA_SECRET_KEY", &keys.0)
        .env("TESSERA_PUBLISHABLE_KEY", &keys.1)
        .env("WEBHOOK_RECEIVER_URL", webhooks_url)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the demo shop: {e}"))
}

/// Polls until `url` answers any HTTP status, or gives up after `secs`.
pub fn wait_for_http(url: &str, secs: u64) -> Result {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if let Ok(mut stream) = TcpStream::connect(host) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            let mut head = [0u8; 12];
            if stream.write_all(request.as_bytes()).is_ok() && stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 ") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err(format!("{url} did not answer within {secs} s"))
}

/// Children that are stopped together, also when this process unwinds.
pub struct Children(Vec<Child>);

impl Children {
    pub fn new(children: Vec<Child>) -> Self {
        Children(children)
    }

    /// Returns when any child exits (Ctrl-C reaches the whole process group, so all exit).
    pub fn wait_any(&mut self) {
        loop {
            if self.0.iter_mut().any(|c| matches!(c.try_wait(), Ok(Some(_)) | Err(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
