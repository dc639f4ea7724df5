//! The mock pod's own behaviour: JWT verification, OBO rules, paging, feeds, faults, counters,
//! and a full OBO flow through the SDK across token expiry.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::TryStreamExt;
use serde_json::json;
use symphony_mock_pod::{Faults, ForcedStatus, MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, HttpSettings, PresenceCategory,
    PresenceClient, RetryPolicy, UserId,
};
use symphony_presence_tests::{fast_retry, fixture, fixture_text};

async fn pod(users: usize) -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(users)
        .app("my-app", fixture_text("keys/app-public.pem"))
        .bot("presence-bot", fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

fn jwt(sub: &str, key: &str, exp_from_now: i64, alg: jsonwebtoken::Algorithm) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(fixture_text(key).as_bytes()).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        &json!({"sub": sub, "exp": now + exp_from_now}),
        &key,
    )
    .unwrap()
}

async fn app_login(pod: &RunningMockPod, token: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/pubkey/app/authenticate", pod.login_url()))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_valid_app_jwt_gets_a_session() {
    let pod = pod(3).await;
    let (status, body) = app_login(
        &pod,
        &jwt(
            "my-app",
            "keys/app-pkcs8.pem",
            240,
            jsonwebtoken::Algorithm::RS512,
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["token"].as_str().unwrap().len() >= 32);
    assert_eq!(pod.counters().app_authentications, 1);
}

#[tokio::test]
async fn jwt_verification_refuses_a_wrong_key_an_expired_jwt_a_far_exp_and_an_unknown_sub() {
    let pod = pod(3).await;
    for (case, token) in [
        (
            "wrong key",
            jwt(
                "my-app",
                "keys/other-pkcs8.pem",
                240,
                jsonwebtoken::Algorithm::RS512,
            ),
        ),
        (
            "expired",
            jwt(
                "my-app",
                "keys/app-pkcs8.pem",
                -10,
                jsonwebtoken::Algorithm::RS512,
            ),
        ),
        (
            "exp too far ahead",
            jwt(
                "my-app",
                "keys/app-pkcs8.pem",
                600,
                jsonwebtoken::Algorithm::RS512,
            ),
        ),
        (
            "unknown sub",
            jwt(
                "someone-else",
                "keys/app-pkcs8.pem",
                240,
                jsonwebtoken::Algorithm::RS512,
            ),
        ),
        (
            "not RS512",
            jwt(
                "my-app",
                "keys/app-pkcs8.pem",
                240,
                jsonwebtoken::Algorithm::RS256,
            ),
        ),
        ("garbage", "not.a.jwt".to_owned()),
    ] {
        let (status, body) = app_login(&pod, &token).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert_eq!(body["code"], 401, "{case}");
    }
    assert_eq!(pod.counters().app_authentications, 0);
    assert_eq!(
        pod.counters().requests_to("post_pubkey_app_authenticate"),
        6
    );
}

#[tokio::test]
async fn obo_needs_a_live_app_session_and_an_existing_user() {
    let pod = pod(3).await;
    let http = reqwest::Client::new();
    let obo = |path: String, token: &str| {
        http.post(format!("{}{path}", pod.login_url()))
            .header("sessionToken", token)
            .send()
    };
    assert_eq!(
        obo(
            format!("/pubkey/app/user/{}/authenticate", pod.user_id(0)),
            "nope"
        )
        .await
        .unwrap()
        .status(),
        401
    );
    let (_, body) = app_login(
        &pod,
        &jwt(
            "my-app",
            "keys/app-pkcs8.pem",
            240,
            jsonwebtoken::Algorithm::RS512,
        ),
    )
    .await;
    let app_token = body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        obo(
            format!("/pubkey/app/user/{}/authenticate", pod.user_id(2)),
            &app_token
        )
        .await
        .unwrap()
        .status(),
        200
    );
    assert_eq!(
        obo("/pubkey/app/username/user1/authenticate".into(), &app_token)
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        obo("/pubkey/app/user/1/authenticate".into(), &app_token)
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        obo(
            "/pubkey/app/username/nobody/authenticate".into(),
            &app_token
        )
        .await
        .unwrap()
        .status(),
        404
    );
    assert_eq!(pod.counters().obo_authentications, 2);
}

fn app(pod: &RunningMockPod) -> AppClient {
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    AppClient::builder(pod.pod_url(), credentials)
        .http(HttpSettings::default().retry_policy(fast_retry(3)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_presence_operation_works_on_behalf_of_a_user() {
    let pod = pod(25).await;
    let me = UserId(pod.user_id(4));
    let c = app(&pod).on_behalf_of(me);

    assert_eq!(c.get_presence().await.unwrap().user_id, Some(me));
    let set = c.set_presence(PresenceCategory::Busy).await.unwrap();
    assert_eq!(
        (set.category, set.user_id),
        (PresenceCategory::Busy, Some(me))
    );
    assert_eq!(pod.category_of(me.0).as_deref(), Some("BUSY"));
    let other = UserId(pod.user_id(7));
    assert_eq!(
        c.user_presence(other).local(true).await.unwrap().user_id,
        Some(other)
    );
    assert!(matches!(
        c.user_presence(UserId(1)).await,
        Err(Error::NotFound(_))
    ));
    c.register_interest([other]).await.unwrap();
    assert!(matches!(
        c.register_interest([UserId(1)]).await,
        Err(Error::NotFound(_))
    ));
    c.set_user_presence(other, PresenceCategory::OutOfOffice)
        .await
        .unwrap();
    assert_eq!(pod.category_of(other.0).as_deref(), Some("OUT_OF_OFFICE"));

    let feed = c.create_feed().await.unwrap();
    assert!(c.read_feed(&feed).await.unwrap().is_empty());
    c.set_presence(PresenceCategory::Away).await.unwrap();
    let changes = c.read_feed(&feed).await.unwrap();
    assert_eq!(
        changes
            .iter()
            .map(|p| (p.user_id, p.category.clone()))
            .collect::<Vec<_>>(),
        [(Some(me), PresenceCategory::Away)]
    );
    assert!(
        c.read_feed(&feed).await.unwrap().is_empty(),
        "only changes since the last read"
    );
    c.delete_feed(&feed).await.unwrap();
    assert!(matches!(
        c.read_feed(&feed).await,
        Err(Error::BadRequest(_))
    ));

    let all: Vec<_> = c
        .list_all_presence()
        .page_size(10)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 26, "25 seeded users and the bot");
    assert!(all.windows(2).all(|w| w[0].user_id < w[1].user_id));
    let counters = pod.counters();
    assert_eq!(
        counters.requests_to("get_v2_users_presence"),
        4,
        "3 pages and the empty one"
    );
    assert_eq!(
        (counters.app_authentications, counters.obo_authentications),
        (1, 1)
    );
}

#[tokio::test]
async fn a_restricted_user_gets_403_on_administrative_calls() {
    let config = MockPodConfig::default()
        .users(5)
        .app("my-app", fixture_text("keys/app-public.pem"));
    let pod = MockPod::start(config.restricted_user(symphony_mock_pod::FIRST_USER_ID + 2))
        .await
        .unwrap();
    let c = app(&pod).on_behalf_of(UserId(pod.user_id(2)));
    let other = UserId(pod.user_id(3));
    let forbidden = |r: Result<(), Error>| matches!(r, Err(Error::Forbidden(e)) if e.message.as_deref() == Some("Caller lacks necessary entitlement."));
    assert!(forbidden(
        c.set_user_presence(other, PresenceCategory::Busy)
            .await
            .map(drop)
    ));
    assert!(forbidden(c.register_interest([other]).await));
    assert!(forbidden(c.list_presence_page().limit(10).await.map(drop)));
    c.set_presence(PresenceCategory::Busy).await.unwrap();
    c.user_presence(other).await.unwrap();
}

#[tokio::test]
async fn soft_keeps_an_offline_user_offline() {
    let pod = pod(10).await;
    // Seeded categories cycle; user 7 starts OFFLINE.
    let offline = UserId(pod.user_id(7));
    assert_eq!(pod.category_of(offline.0).as_deref(), Some("OFFLINE"));
    let c = app(&pod).on_behalf_of(offline);
    assert_eq!(
        c.set_presence(PresenceCategory::Available)
            .soft(true)
            .await
            .unwrap()
            .category,
        PresenceCategory::Offline
    );
    assert_eq!(
        c.set_presence(PresenceCategory::Available)
            .await
            .unwrap()
            .category,
        PresenceCategory::Available
    );
}

#[tokio::test]
async fn list_limit_above_5000_is_a_400() {
    let pod = pod(3).await;
    // A user's session, obtained as the SDK would: app authentication, then OBO.
    let (_, body) = app_login(
        &pod,
        &jwt(
            "my-app",
            "keys/app-pkcs8.pem",
            240,
            jsonwebtoken::Algorithm::RS512,
        ),
    )
    .await;
    let obo: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/pubkey/app/user/{}/authenticate",
            pod.login_url(),
            pod.user_id(0)
        ))
        .header("sessionToken", body["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = obo["token"].as_str().unwrap().to_owned();
    let status = |limit: i64| {
        reqwest::Client::new()
            .get(format!("{}/v2/users/presence?limit={limit}", pod.pod_url()))
            .header("sessionToken", &token)
            .send()
    };
    assert_eq!(status(5000).await.unwrap().status(), 200);
    assert_eq!(status(5001).await.unwrap().status(), 400);
    assert_eq!(status(0).await.unwrap().status(), 400);
}

#[tokio::test]
async fn a_full_obo_flow_survives_token_expiry() {
    // Tokens live 3 s, and each phase below is counted on its own: a phase that ran slow on a
    // loaded machine cannot change another's counts. (With 300 ms tokens and counts kept from
    // the start, a slow first call saw its fresh tokens expire and renewed them once more.)
    let ttl = Duration::from_secs(3);
    let pod = MockPod::start(
        MockPodConfig::default()
            .users(5)
            .token_ttl(ttl)
            .app("my-app", fixture_text("keys/app-public.pem")),
    )
    .await
    .unwrap();
    let c = app(&pod).on_behalf_of(UserId(pod.user_id(1)));
    c.get_presence().await.unwrap();
    // Every token issued so far has now expired.
    tokio::time::sleep(ttl + Duration::from_millis(500)).await;
    pod.reset_counters();
    // Both the OBO and the app token have expired: the pod's 401 renews the OBO session, whose
    // 401 renews the app session. The new tokens live 3 s: far longer than this call.
    c.get_presence().await.unwrap();
    let counters = pod.counters();
    assert_eq!(
        (counters.app_authentications, counters.obo_authentications),
        (1, 1)
    );
    assert_eq!(counters.requests_to("get_v2_user_presence"), 2);
    // The same when the pod forgets its tokens at once.
    pod.reset_counters();
    pod.expire_tokens();
    c.get_presence().await.unwrap();
    let counters = pod.counters();
    assert_eq!(
        (counters.app_authentications, counters.obo_authentications),
        (1, 1)
    );
    assert_eq!(counters.requests_to("get_v2_user_presence"), 2);
}

#[tokio::test]
async fn bot_sessions_work_against_the_pod() {
    let pod = pod(3).await;
    let credentials =
        BotCredentials::from_pem_file("presence-bot", fixture("keys/other-pkcs8.pem")).unwrap();
    let bot = PresenceClient::builder(pod.pod_url())
        .bot(credentials)
        .http(HttpSettings::default().retry_policy(fast_retry(3)))
        .build()
        .unwrap();
    let me = bot.get_presence().await.unwrap();
    assert_eq!(
        me.user_id,
        Some(UserId(pod.user_id(3))),
        "the bot is the user after the seeded ones"
    );
    assert_eq!(pod.counters().bot_authentications, 1);
}

#[tokio::test]
async fn injected_faults_are_applied_in_order_and_counted() {
    let pod = pod(3).await;
    let c = app(&pod).on_behalf_of(UserId(pod.user_id(0)));
    c.get_presence().await.unwrap();
    pod.reset_counters();

    pod.set_faults(Faults {
        fail: Some(ForcedStatus {
            status: 503,
            count: 2,
            retry_after: Some("0".into()),
        }),
        ..Faults::default()
    });
    c.get_presence().await.unwrap();
    assert_eq!(pod.counters().requests_to("get_v2_user_presence"), 3);

    pod.set_faults(Faults {
        drop_connection: 1,
        ..Faults::default()
    });
    c.get_presence().await.unwrap();
    assert_eq!(pod.counters().requests_to("get_v2_user_presence"), 5);

    pod.set_faults(Faults {
        malformed_body: 1,
        ..Faults::default()
    });
    assert!(
        matches!(c.get_presence().await, Err(Error::Decode(e)) if e.status.map(|s| s.as_u16()) == Some(200))
    );

    pod.set_faults(Faults {
        latency_ms: 50,
        ..Faults::default()
    });
    let started = std::time::Instant::now();
    c.get_presence().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[tokio::test]
async fn the_control_endpoint_sets_faults_expires_tokens_and_reports_counters() {
    let pod = pod(3).await;
    let http = reqwest::Client::new();
    let c = app(&pod).on_behalf_of(UserId(pod.user_id(0)));
    c.get_presence().await.unwrap();

    let faults = json!({"fail": {"status": 429, "count": 1, "retry_after": "0"}});
    let set = http
        .post(format!("{}/_mock/faults", pod.base_url()))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let bad = http
        .post(format!("{}/_mock/faults", pod.base_url()))
        .json(&json!({"nope": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    c.get_presence().await.unwrap();

    assert_eq!(
        http.post(format!("{}/_mock/expire-tokens", pod.base_url()))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    c.get_presence().await.unwrap();

    let counters: serde_json::Value = http
        .get(format!("{}/_mock/counters", pod.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        counters["requests"]["get_v2_user_presence"], 5,
        "{counters}"
    );
    assert_eq!(counters["app_authentications"], 2);
    assert_eq!(counters["obo_authentications"], 2);
}

#[tokio::test]
async fn shutting_down_closes_the_port() {
    let pod = pod(1).await;
    let url = pod.pod_url();
    pod.shutdown().await;
    let c = PresenceClient::builder(url)
        .session_token("t")
        .http(HttpSettings::default().retry_policy(RetryPolicy::none()))
        .build()
        .unwrap();
    assert!(matches!(c.get_presence().await, Err(Error::Transport(_))));
}
