//! `symphony-presence demo`: every step of an OBO integration against an in-process mock pod.

use std::time::Duration;

use futures_util::StreamExt;
use symphony_mock_pod::{MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{AppClient, MirrorEvent, PresenceCategory, PresenceClient, UserId};

use crate::args::{Command, FeedCommand, Output};
use crate::commands;
use crate::exit::Failure;
use crate::output::Printer;
use crate::watch;

const APP_ID: &str = "demo-app";
const USERS: usize = 2500;
const PAGE_SIZE: u32 = 1000;
/// The longest the watch step waits for its changes; they take a fraction of a second.
const WATCH_LIMIT: Duration = Duration::from_secs(60);

pub async fn run(transport: Transport) -> Result<(), Failure> {
    step("generating a fresh 2048-bit RSA key for the app");
    // The pod generates the key pair at start, registers the public key, and keeps the
    // private key for `app_credentials`.
    let config = MockPodConfig::default().users(USERS).with_app(APP_ID);
    let pod = MockPod::start(transport.pod(config))
        .await
        .map_err(|e| invalid(&e))?;
    let credentials = pod
        .app_credentials(APP_ID)
        .ok_or_else(|| invalid(&"the mock pod has no credentials for the demo app"))?;
    step(&format!(
        "started the mock pod at {} with {USERS} users{}",
        pod.base_url(),
        transport.described()
    ));

    let app = AppClient::builder(pod.pod_url(), credentials)
        .http(transport.http(&pod)?)
        .build()?;
    app.authenticate().await?;
    step(&format!("authenticated the app {APP_ID:?} (RS512 JWT)"));

    let me = UserId(pod.user_id(0));
    let client = app.on_behalf_of(me);
    step(&format!(
        "acting on behalf of user {me}: the first call opens the user's on-behalf-of session"
    ));

    let mut out = Printer::new(Output::Table);
    let other = pod.user_id(1);
    let steps = [
        ("get: my presence".to_owned(), Command::Get),
        (
            "set: my presence to BUSY".to_owned(),
            Command::Set {
                category: "BUSY".into(),
                soft: false,
            },
        ),
        (
            format!("user: the presence of user {other}"),
            Command::User {
                uid: other,
                local: false,
            },
        ),
    ];
    for (title, command) in steps {
        step(&title);
        commands::run(&client, &command, &mut out).await?;
        out = Printer::new(Output::Table);
    }

    step(&format!(
        "list: every user, {PAGE_SIZE} per page (first and last rows shown)"
    ));
    let all = client.list_all_presence().page_size(PAGE_SIZE).stream();
    let listed: Vec<_> = futures_util::TryStreamExt::try_collect(all).await?;
    for p in listed.iter().take(3).chain(listed.last()) {
        out.presence(p);
    }
    let pages = pod.counters().requests_to("get_v2_users_presence");
    println!(
        "  ... {} users in {pages} requests ({} pages and the empty page that ends the listing)",
        listed.len(),
        pages - 1
    );

    step("feed: create, change a presence, read, delete");
    let feed = client.create_feed().await?;
    println!("  created feed {feed}");
    client.set_presence(PresenceCategory::InAMeeting).await?;
    out = Printer::new(Output::Table);
    commands::run(
        &client,
        &Command::Feed(FeedCommand::Read {
            id: feed.to_string(),
        }),
        &mut out,
    )
    .await?;
    client.delete_feed(&feed).await?;
    println!("  deleted feed {feed}");

    watch(&pod, &client).await?;

    let counters = pod.counters();
    step(&format!(
        "done: {} requests, {} app and {} OBO authentication(s); stopping the pod",
        counters.total_requests(),
        counters.app_authentications,
        counters.obo_authentications
    ));
    transport.report(&counters);
    pod.shutdown().await;
    Ok(())
}

/// A mirror of every user, three changes made on the pod, and their events as `watch` prints
/// them off a terminal.
async fn watch(pod: &RunningMockPod, client: &PresenceClient) -> Result<(), Failure> {
    step("watch: mirror every user's presence, then see three changes made on the pod arrive");
    let mut mirror = client.mirror().interval(Duration::from_millis(100)).start();
    let changes = [
        (2, PresenceCategory::OutOfOffice),
        (3, PresenceCategory::Available),
        (4, PresenceCategory::InAMeeting),
    ];
    let mut changed = 0;
    let arrived = tokio::time::timeout(WATCH_LIMIT, async {
        while changed < changes.len() {
            let Some(event) = mirror.next().await else {
                break;
            };
            if let MirrorEvent::Degraded { error } = event {
                return Err(Failure::Sdk(error));
            }
            if let Some(line) = watch::plain_event(&event) {
                println!("  {line}");
            }
            match event {
                MirrorEvent::Resynced { .. } if changed == 0 => {
                    for (user, category) in &changes {
                        pod.set_presence(pod.user_id(*user), category.clone())
                            .map_err(|e| invalid(&e))?;
                    }
                    println!(
                        "  (the pod set {} users' presence, as if they had changed it)",
                        changes.len()
                    );
                }
                MirrorEvent::Changed { .. } => changed += 1,
                _ => {}
            }
        }
        Ok(())
    })
    .await;
    mirror.close().await?;
    match arrived {
        Ok(result) => result?,
        Err(_) => return Err(invalid(&"the changes did not arrive in time")),
    }
    println!("  closed the mirror, which deleted its feed");
    Ok(())
}

fn step(what: &str) {
    println!("\n==> {what}");
}

fn invalid(e: &dyn std::fmt::Display) -> Failure {
    Failure::Usage(format!("demo set-up failed: {e}"))
}

/// How the demo's mock pod serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// Plain HTTP on 127.0.0.1.
    Http,
    /// TLS on 127.0.0.1, with a certificate authority the pod generates and the demo trusts.
    Tls,
}

impl Transport {
    fn pod(self, config: MockPodConfig) -> MockPodConfig {
        match self {
            Transport::Http => config,
            Transport::Tls => config.tls(symphony_mock_pod::TlsConfig::default()),
        }
    }

    fn described(self) -> &'static str {
        match self {
            Transport::Http => "",
            Transport::Tls => {
                " over TLS, its certificate signed by a CA it generated, which this demo trusts \
                 (the CLI's --ca-cert)"
            }
        }
    }

    /// The client's transport: trusting the pod's CA for TLS.
    fn http(
        self,
        pod: &symphony_mock_pod::RunningMockPod,
    ) -> Result<symphony_presence::HttpSettings, Failure> {
        let http = symphony_presence::HttpSettings::default();
        match (self, pod.ca_certificate_pem()) {
            (Transport::Tls, Some(ca)) => Ok(http.add_root_certificate_pem(ca.as_bytes())?),
            (Transport::Tls, None) => Err(Failure::Usage(
                "demo set-up failed: the TLS pod has no CA".into(),
            )),
            (Transport::Http, _) => Ok(http),
        }
    }

    fn report(self, counters: &symphony_mock_pod::Counters) {
        if self == Transport::Tls {
            let listener = counters.listener(symphony_mock_pod::Listener::Pod);
            println!(
                "  every request went over TLS: {} requests on {} TLS connection(s), HTTP/2 or \
                 HTTP/1.1 as ALPN agreed (the pod offers both)",
                listener.requests, listener.connections
            );
        }
    }
}
