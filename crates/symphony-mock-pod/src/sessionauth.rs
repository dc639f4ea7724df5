//! The certificate authentication endpoints of the Authenticator API, under `/sessionauth`.
//!
//! The caller is the common name of the verified client certificate of the connection: a
//! registered bot's username, or a registered app's id. OBO works as under `/login`, from the
//! app's session token in `sessionToken`.

use symphony_api::sessionauth::types::{OboAuthResponse, Token};

use crate::login::obo_session;
use crate::server::{Actor, Fail, Handled, Request, Route, fail, json};
use crate::state::{Principal, State};

pub(crate) fn route(request: &Request) -> Option<Route> {
    let (operation, handler): (&'static str, fn(&mut State, &Request) -> Handled) =
        match (request.method.as_str(), request.segments().as_slice()) {
            ("POST", ["sessionauth", "v1", "authenticate"]) => ("post_v1_authenticate", bot),
            ("POST", ["sessionauth", "v1", "app", "authenticate"]) => {
                ("post_v1_app_authenticate", app)
            }
            ("POST", ["sessionauth", "v1", "app", "user", _, "authenticate"]) => {
                ("post_v1_app_user_uid_authenticate", obo)
            }
            ("POST", ["sessionauth", "v1", "app", "username", _, "authenticate"]) => {
                ("post_v1_app_username_username_authenticate", obo)
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

fn token(token: String) -> Token {
    Token {
        name: Some("sessionToken".to_owned()),
        token: Some(token),
        authorization_token: None,
    }
}

/// The common name of the client certificate; 401 without one.
fn certificate_name(request: &Request) -> Result<&str, Fail> {
    request
        .client_cn
        .as_deref()
        .ok_or_else(|| fail(401, "A client certificate is required"))
}

fn bot(state: &mut State, request: &Request) -> Handled {
    let name = certificate_name(request)?;
    let Some(uid) = state.bots.get(name).map(|bot| bot.uid) else {
        return Err(if state.usernames.contains_key(name) {
            fail(
                403,
                "Certificate authentication is not allowed for the requested user.",
            )
        } else {
            fail(401, format!("No bot has the certificate's name {name:?}"))
        });
    };
    state.counters.bot_authentications += 1;
    Ok(json(200, &token(state.issue(Principal::User(uid)))))
}

fn app(state: &mut State, request: &Request) -> Handled {
    let name = certificate_name(request)?;
    if !state.apps.contains_key(name) {
        return Err(fail(
            401,
            format!("No app has the certificate's name {name:?}"),
        ));
    }
    state.counters.app_authentications += 1;
    let principal = Principal::App(name.to_owned());
    Ok(json(200, &token(state.issue(principal))))
}

fn obo(state: &mut State, request: &Request) -> Handled {
    let session_token = obo_session(state, request)?;
    Ok(json(
        200,
        &OboAuthResponse {
            session_token: Some(session_token),
        },
    ))
}
