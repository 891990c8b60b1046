//! A province's deployment as `docker/compose.yaml` describes it (issue 16, step 3), with
//! local processes: two `dinhdanh serve` instances on one database behind Debian's nginx,
//! configured from the shipped `docker/nginx.conf` (only the instances' addresses, the port and
//! nginx's own paths are filled in). Requests through the proxy reach both instances and see
//! the same data; after one instance is killed (SIGKILL), every request, writes included, is
//! answered by the other. Needs `nginx` on the PATH (`.ci/run` installs it). On SQLite, and on
//! PostgreSQL when `TEST_DATABASE_URL` is set.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::hostile::{Server, answer, server, server_binary, start_another};
use serde_json::json;

/// nginx in the foreground with the shipped configuration pointed at these instances, on a
/// free local port; everything it writes stays in its own folder. Killed when dropped.
struct Proxy {
    child: Child,
    dir: Folder,
    base: String,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh folder under the system's temporary folder, removed when dropped.
struct Folder(std::path::PathBuf);

impl Folder {
    fn new() -> Folder {
        let path = std::env::temp_dir().join(format!("dinhdanh-proxy-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).expect("temp folder");
        Folder(path)
    }

    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `docker/nginx.conf` with the instances at `upstreams` (host:port) instead of app1/app2,
/// listening on `port`, and nginx's files under `dir`; each access logged with the instance
/// that answered.
fn configuration(upstreams: &[&str], port: u16, dir: &std::path::Path) -> String {
    let shipped =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docker/nginx.conf"))
            .expect("docker/nginx.conf");
    assert!(shipped.contains("server app1:8080") && shipped.contains("server app2:8080"), "{shipped}");
    let d = dir.display();
    shipped
        .replace("server app1:8080", &format!("server {}", upstreams[0]))
        .replace("server app2:8080", &format!("server {}", upstreams[1]))
        .replace("listen 8080;", &format!("listen 127.0.0.1:{port};"))
        .replace("worker_processes 1;", &format!("worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;"))
        .replace(
            "http {",
            &format!(
                "http {{\n    log_format upstream '$http_x_test_phase $request_method $uri $status $upstream_addr';\n    access_log {d}/access.log upstream;\n    client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n    fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;"
            ),
        )
}

fn host_port(server: &Server) -> String {
    server.url("").trim_start_matches("http://").to_owned()
}

async fn start_proxy(instances: &[&Server]) -> Proxy {
    let dir = Folder::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
    let upstreams: Vec<String> = instances.iter().map(|s| host_port(s)).collect();
    let upstreams: Vec<&str> = upstreams.iter().map(String::as_str).collect();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, configuration(&upstreams, port, dir.path())).expect("write nginx.conf");
    let child = Command::new("nginx")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .arg("-e")
        .arg(dir.path().join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nginx (apt-get install nginx)");
    let proxy = Proxy { child, dir, base: format!("http://127.0.0.1:{port}") };
    // up once it answers the health check through to an instance (10 s at most)
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut cadence = tokio::time::interval(Duration::from_millis(20));
    loop {
        cadence.tick().await;
        if let Ok(res) = client.get(format!("{}/health", proxy.base)).send().await
            && res.status().as_u16() == 200
        {
            return proxy;
        }
        let log = std::fs::read_to_string(proxy.dir.path().join("error.log")).unwrap_or_default();
        assert!(tokio::time::Instant::now() < deadline, "nginx did not come up: {log}");
    }
}

impl Proxy {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many requests of a phase (the `X-Test-Phase` header each carried) each instance (by
    /// address) answered, from the access log; waits (5 s at most) until `expected` such
    /// requests are logged, as nginx writes a line once its answer has gone out.
    async fn answered_by(&self, phase: &str, expected: usize) -> BTreeMap<String, usize> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let mut cadence = tokio::time::interval(Duration::from_millis(20));
        loop {
            cadence.tick().await;
            let log = std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default();
            let mut by = BTreeMap::new();
            for line in log.lines().filter(|l| l.split(' ').next() == Some(phase)) {
                // a failed-over request lists every instance tried; the last one answered
                if let Some(last) = line.rsplit(' ').next().and_then(|u| u.rsplit(", ").next()) {
                    *by.entry(last.to_owned()).or_insert(0) += 1;
                }
            }
            if by.values().sum::<usize>() >= expected || tokio::time::Instant::now() >= deadline {
                return by;
            }
        }
    }
}

#[tokio::test]
async fn two_instances_behind_nginx_share_the_work_and_survive_one_killed() {
    let first = server(&[]).await;
    let second = start_another(&server_binary(), &first, &[]);
    let proxy = start_proxy(&[&first, &second]).await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let login = answer(
        client
            .post(proxy.url("/api/v1/auth/login"))
            .json(&json!({"username": "school-a1", "password": dinhdanh_tests::PASSWORD}))
            .send()
            .await
            .expect("login"),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let token = login.body["accessToken"].as_str().expect("token").to_owned();
    let class = first.fixtures.class_a1_6a;
    let year = chrono::Datelike::year(&dinhdanh_tests::today()) - 12;
    let names = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Long", "Phạm Minh Châu", "Vũ Đức Huy", "Đặng Thu Hà"];
    let create = |i: usize, phase: &str| {
        let body = json!({"classId": class, "fullName": names[i], "dateOfBirth": format!("{:02}/03/{year}", i + 1), "gender": "Nam"});
        let req =
            client.post(proxy.url("/api/v1/students")).bearer_auth(&token).header("X-Test-Phase", phase).json(&body);
        async move { answer(req.send().await.expect("create through the proxy")).await }
    };
    let list = |phase: &str| {
        let req = client
            .get(proxy.url(&format!("/api/v1/students?classId={class}")))
            .bearer_auth(&token)
            .header("X-Test-Phase", phase);
        async move { answer(req.send().await.expect("list through the proxy")).await }
    };
    // both instances answer (round robin), and each sees what the other wrote
    for i in 0..3 {
        let res = create(i, "before").await;
        assert_eq!(res.status, 201, "{}", res.text);
        let res = list("before").await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.body["total"], json!(i + 1), "{}", res.text);
    }
    let by = proxy.answered_by("before", 6).await;
    assert_eq!(by.len(), 2, "both instances took requests: {by:?}");

    // one instance dies: reads and writes go on through the other
    let survivor = host_port(&second);
    // (the database goes with the first server: kept until the end)
    let _db = first.crash();
    for i in 3..names.len() {
        let res = create(i, "after").await;
        assert_eq!(res.status, 201, "a write after the kill: {}", res.text);
        let res = list("after").await;
        assert_eq!(res.status, 200, "a read after the kill: {}", res.text);
        assert_eq!(res.body["total"], json!(i + 1), "{}", res.text);
    }
    let after = proxy.answered_by("after", 2 * (names.len() - 3)).await;
    assert_eq!(
        after,
        BTreeMap::from([(survivor, 2 * (names.len() - 3))]),
        "the survivor answered every request after the kill"
    );
}
