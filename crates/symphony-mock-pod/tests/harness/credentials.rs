//! `with_app`, `with_bot` and their `*_private_key` variants: the pod generates (or is given)
//! the key pair and hands out credentials that the SDK uses as they are.

use std::time::Instant;

use symphony_mock_pod::{MockPod, MockPodConfig, MockPodError, RunningMockPod};
use symphony_presence::{AppClient, PresenceCategory, PresenceClient, UserId};

async fn pod(config: MockPodConfig) -> RunningMockPod {
    MockPod::start(config.users(5)).await.unwrap()
}

#[tokio::test]
async fn an_app_client_built_from_generated_credentials_acts_on_behalf_of_a_user() {
    let started = Instant::now();
    let pod = pod(MockPodConfig::default().with_app("my-app")).await;
    eprintln!(
        "started with one generated RSA-2048 key in {:?}",
        started.elapsed()
    );
    let credentials = pod
        .app_credentials("my-app")
        .expect("generated credentials");
    assert_eq!(credentials.app_id(), "my-app");

    let app = AppClient::builder(pod.pod_url(), credentials)
        .build()
        .unwrap();
    let alice = app.on_behalf_of(UserId(pod.user_id(2)));
    let me = alice.get_presence().await.unwrap();
    assert_eq!(me.user_id, Some(UserId(pod.user_id(2))));
    let set = alice.set_presence(PresenceCategory::Busy).await.unwrap();
    assert_eq!(set.category, PresenceCategory::Busy);
    assert_eq!(pod.category_of(pod.user_id(2)).as_deref(), Some("BUSY"));

    let counters = pod.counters();
    assert_eq!(counters.app_authentications, 1);
    assert_eq!(counters.obo_authentications, 1);
}

#[tokio::test]
async fn a_bot_client_built_from_generated_credentials_is_the_bots_user() {
    let pod = pod(MockPodConfig::default().with_bot("my-bot")).await;
    let bot_uid = pod.bot_user_id("my-bot").expect("the bot is a user");
    assert_eq!(
        bot_uid,
        pod.user_id(5),
        "the next id after the 5 seeded users"
    );
    let bot = PresenceClient::builder(pod.pod_url())
        .bot(pod.bot_credentials("my-bot").unwrap())
        .build()
        .unwrap();
    let me = bot.get_presence().await.unwrap();
    assert_eq!(me.user_id, Some(UserId(bot_uid)));
    assert_eq!(pod.counters().bot_authentications, 1);
}

#[tokio::test]
async fn a_private_key_given_to_one_pod_works_with_anothers_credentials() {
    let first = pod(MockPodConfig::default().with_app("app").with_bot("bot")).await;
    let app_pem = first.app_private_key_pem("app").unwrap();
    let bot_pem = first.bot_private_key_pem("bot").unwrap();
    assert!(app_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_ne!(app_pem, bot_pem, "every registration has a key of its own");

    let second = pod(MockPodConfig::default()
        .with_app_private_key("app", app_pem.clone())
        .with_bot_private_key("bot", bot_pem))
    .await;
    assert_eq!(second.app_private_key_pem("app").unwrap(), app_pem);
    // The first pod's credentials sign JWTs the second pod accepts.
    let app = AppClient::builder(second.pod_url(), first.app_credentials("app").unwrap())
        .build()
        .unwrap();
    app.authenticate().await.unwrap();
    let bot = PresenceClient::builder(second.pod_url())
        .bot(first.bot_credentials("bot").unwrap())
        .build()
        .unwrap();
    bot.get_presence().await.unwrap();
    assert_eq!(second.counters().app_authentications, 1);
    assert_eq!(second.counters().bot_authentications, 1);
}

#[tokio::test]
async fn apps_and_bots_whose_key_the_pod_lacks_have_no_credentials() {
    let source = pod(MockPodConfig::default().with_app("source")).await;
    // The public half, as an operator would register it.
    let public = public_pem_of(&source, "source");
    let pod = pod(MockPodConfig::default()
        .app("by-public-key", public)
        .certificate_app("by-certificate")
        .certificate_bot("cert-bot"))
    .await;
    assert!(pod.app_credentials("by-public-key").is_none());
    assert!(pod.app_private_key_pem("by-public-key").is_none());
    assert!(pod.app_credentials("by-certificate").is_none());
    assert!(pod.app_credentials("unknown").is_none());
    assert!(pod.bot_credentials("cert-bot").is_none());
    assert!(pod.bot_user_id("cert-bot").is_some());
    assert!(pod.bot_user_id("unknown").is_none());
}

/// The public half (SPKI PEM) of an app's private key, derived with aws-lc-rs.
fn public_pem_of(pod: &RunningMockPod, app_id: &str) -> String {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair as _;

    let private = pod.app_private_key_pem(app_id).unwrap();
    let der = pem::parse(private).unwrap();
    let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(der.contents()).unwrap();
    let spki = pair.public_key().as_der().unwrap();
    pem::encode(&pem::Pem::new("PUBLIC KEY", spki.as_ref()))
}

#[tokio::test]
async fn a_private_key_that_is_not_one_is_refused_at_start() {
    let refused = MockPod::start(MockPodConfig::default().with_app_private_key(
        "app",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    ))
    .await;
    match refused {
        Err(MockPodError::InvalidKey { who, reason }) => {
            assert_eq!(who, "app");
            assert_eq!(reason, "a `PUBLIC KEY` block, not an RSA private key");
        }
        other => panic!("{other:?}"),
    }
    let refused =
        MockPod::start(MockPodConfig::default().with_bot_private_key("bot", "nonsense")).await;
    assert!(matches!(refused, Err(MockPodError::InvalidKey { who, .. }) if who == "bot"));
}
