//! The RSA authentication endpoints under `/login`.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use symphony_api::login::types::{AuthenticateRequest, Token};

use crate::server::{Actor, Fail, Handled, Reply, Request, Route, body, fail, json};
use crate::state::{Principal, State};

/// The furthest ahead Symphony lets a JWT's `exp` be, in seconds.
const MAX_EXP_AHEAD: u64 = 300;

pub(crate) fn route(request: &Request) -> Option<Route> {
    let (operation, handler): (&'static str, fn(&mut State, &Request) -> Handled) =
        match (request.method.as_str(), request.segments().as_slice()) {
            ("POST", ["login", "pubkey", "authenticate"]) => ("post_pubkey_authenticate", bot),
            ("POST", ["login", "pubkey", "app", "authenticate"]) => {
                ("post_pubkey_app_authenticate", app)
            }
            ("POST", ["login", "pubkey", "app", "user", _, "authenticate"]) => {
                ("post_pubkey_app_user_user_id_authenticate", obo)
            }
            ("POST", ["login", "pubkey", "app", "username", _, "authenticate"]) => {
                ("post_pubkey_app_username_username_authenticate", obo)
            }
            _ => return None,
        };
    // The two OBO endpoints have the user's id or username at the same place in the path.
    let actor = match request.segments.get(3).map(String::as_str) {
        Some("user" | "username") => Actor::OboTarget,
        _ => Actor::Unknown,
    };
    Some(Route {
        operation,
        handler,
        actor,
    })
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: u64,
}

fn session(token: String) -> Reply {
    json(
        200,
        &Token {
            name: Some("sessionToken".into()),
            token: Some(token),
            authorization_token: None,
        },
    )
}

/// Checks an authentication JWT: RS512, signed by the key registered for its `sub`, not
/// expired, and `exp` at most 5 minutes ahead, both by the pod's clock (`now`, Unix seconds).
/// Returns the `sub`.
fn verify<'k>(
    request: &Request,
    now: u64,
    key_for: impl Fn(&str) -> Option<&'k DecodingKey>,
) -> Result<String, Fail> {
    let AuthenticateRequest { token } = body(request)?;
    let jwt = token.ok_or_else(|| fail(401, "Missing authentication token"))?;
    let header = jsonwebtoken::decode_header(&jwt)
        .map_err(|_| fail(401, "Malformed authentication token"))?;
    if header.alg != Algorithm::RS512 {
        return Err(fail(401, "The authentication token must be signed RS512"));
    }
    let claims: Claims = jsonwebtoken::dangerous::insecure_decode(&jwt)
        .map_err(|_| fail(401, "Malformed authentication token"))?
        .claims;
    let key = key_for(&claims.sub).ok_or_else(|| fail(401, "Unknown user or app"))?;
    let mut validation = Validation::new(Algorithm::RS512);
    validation.leeway = 0;
    // `exp` is checked below against the pod's clock, not this machine's.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "sub"]);
    jsonwebtoken::decode::<Claims>(&jwt, key, &validation)
        .map_err(|e| fail(401, format!("Invalid authentication token: {e}")))?;
    if claims.exp < now {
        return Err(fail(401, "The authentication token has expired"));
    }
    if claims.exp > now.saturating_add(MAX_EXP_AHEAD) {
        return Err(fail(
            401,
            "The authentication token expires more than 5 minutes ahead",
        ));
    }
    Ok(claims.sub)
}

fn app(state: &mut State, request: &Request) -> Handled {
    let now = state.clock.now_secs();
    let app_id = verify(request, now, |sub| {
        state.apps.get(sub).and_then(Option::as_ref)
    })?;
    state.counters.app_authentications += 1;
    Ok(session(state.issue(Principal::App(app_id))))
}

fn bot(state: &mut State, request: &Request) -> Handled {
    let now = state.clock.now_secs();
    let username = verify(request, now, |sub| {
        state.bots.get(sub).and_then(|b| b.key.as_ref())
    })?;
    state.counters.bot_authentications += 1;
    let uid = state.bots[&username].uid;
    Ok(session(state.issue(Principal::User(uid))))
}

/// OBO by user id or username: needs a live app session in `sessionToken` and no body.
fn obo(state: &mut State, request: &Request) -> Handled {
    Ok(session(obo_session(state, request)?))
}

/// The existing user an OBO request asks for: `.../app/user/{uid}/...` or
/// `.../app/username/{username}/...` (the fourth and fifth segments, under `/login` and
/// `/sessionauth` alike).
pub(crate) fn obo_target(state: &State, request: &Request) -> Option<i64> {
    let id = request.segments.get(4)?;
    match request.segments.get(3)?.as_str() {
        "user" => id
            .parse::<i64>()
            .ok()
            .filter(|uid| state.users.contains_key(uid)),
        "username" => state.usernames.get(id).copied(),
        _ => None,
    }
}

/// Issues an OBO session for `.../app/{user|username}/{id}/authenticate` (the kind and the id
/// are the fourth and fifth segments under `/login` and `/sessionauth` alike), for a caller
/// with a live app session in `sessionToken`.
pub(crate) fn obo_session(state: &mut State, request: &Request) -> Result<String, Fail> {
    let Some(Principal::App(app_id)) = state.principal(request.token.as_deref()) else {
        return Err(fail(401, "Invalid app session"));
    };
    let Some(uid) = obo_target(state, request) else {
        return Err(fail(404, "User cannot be located"));
    };
    if state.obo_refused.contains(&uid) {
        state.counters.obo_refusals += 1;
        return Err(fail(
            401,
            format!("User {uid} has not installed the app {app_id}"),
        ));
    }
    state.counters.obo_authentications += 1;
    Ok(state.issue(Principal::User(uid)))
}
