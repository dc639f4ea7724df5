//! The nine Presence operations under `/pod`.

use std::time::Instant;

use symphony_api::pod::types::{
    StringId, SuccessResponse, SuccessResponseFormat, UserIdList, V2Presence, V2PresenceList,
    V2PresenceStatus, V2UserPresence,
};

use crate::server::{Actor, Fail, Handled, Request, Route, body, fail, json, query};
use crate::state::{Feed, Principal, SEED_CATEGORIES, State, User};

/// Symphony's default and largest page sizes, and its feed batch.
const DEFAULT_LIMIT: i64 = 1000;
const MAX_LIMIT: i64 = 5000;
const FEED_BATCH: usize = 500;

/// The answer (with 400) to reading or deleting a feed that does not exist, never did, expired
/// or was dropped.
const FEED_NOT_FOUND: &str = "Presence feed not found";

pub(crate) fn route(request: &Request) -> Option<Route> {
    let (operation, handler): (&'static str, fn(&mut State, &Request) -> Handled) =
        match (request.method.as_str(), request.segments().as_slice()) {
            ("GET", ["pod", "v2", "user", "presence"]) => ("get_v2_user_presence", get_presence),
            ("POST", ["pod", "v2", "user", "presence"]) => ("post_v2_user_presence", set_presence),
            ("GET", ["pod", "v3", "user", _, "presence"]) => {
                ("get_v3_user_uid_presence", user_presence)
            }
            ("GET", ["pod", "v2", "users", "presence"]) => ("get_v2_users_presence", list_presence),
            ("POST", ["pod", "v1", "user", "presence", "register"]) => {
                ("post_v1_user_presence_register", register)
            }
            ("POST", ["pod", "v3", "user", "presence"]) => {
                ("post_v3_user_presence", set_user_presence)
            }
            ("POST", ["pod", "v1", "presence", "feed", "create"]) => {
                ("post_v1_presence_feed_create", create_feed)
            }
            ("GET", ["pod", "v1", "presence", "feed", _, "read"]) => {
                ("get_v1_presence_feed_feed_id_read", read_feed)
            }
            ("POST", ["pod", "v1", "presence", "feed", _, "delete"]) => {
                ("post_v1_presence_feed_feed_id_delete", delete_feed)
            }
            _ => return None,
        };
    Some(Route {
        operation,
        handler,
        actor: Actor::Session,
    })
}

fn presence(uid: i64, user: &User) -> V2Presence {
    V2Presence {
        category: user.category.clone(),
        user_id: Some(uid),
        timestamp: Some(user.timestamp),
    }
}

/// The calling user, from a live user session; 401 otherwise.
fn caller(state: &State, request: &Request) -> Result<i64, Fail> {
    match state.principal(request.token.as_deref()) {
        Some(Principal::User(uid)) => Ok(uid),
        Some(Principal::App(_)) => Err(fail(401, "An app session cannot call the Pod API")),
        None => Err(fail(401, "Invalid session")),
    }
}

/// The calling user, if they hold the administrative privileges; 403 otherwise.
fn privileged_caller(state: &State, request: &Request) -> Result<i64, Fail> {
    let uid = caller(state, request)?;
    if state.restricted.contains(&uid) {
        return Err(fail(403, "Caller lacks necessary entitlement."));
    }
    Ok(uid)
}

/// A category a user can be set to: the ten documented ones (not UNDEFINED).
fn settable(category: &str) -> Result<(), Fail> {
    if SEED_CATEGORIES.contains(&category) {
        Ok(())
    } else {
        Err(fail(400, format!("Invalid presence category: {category}")))
    }
}

fn get_presence(state: &mut State, request: &Request) -> Handled {
    let uid = caller(state, request)?;
    let user = state
        .users
        .get(&uid)
        .ok_or_else(|| fail(404, "User id cannot be located"))?;
    Ok(json(200, &presence(uid, user)))
}

fn set_presence(state: &mut State, request: &Request) -> Handled {
    let uid = caller(state, request)?;
    let status: V2PresenceStatus = body(request)?;
    let soft = query::<bool>(request, "soft")?.unwrap_or(false);
    settable(&status.category)?;
    state.set_category(uid, &status.category, soft);
    Ok(json(200, &presence(uid, &state.users[&uid])))
}

fn user_presence(state: &mut State, request: &Request) -> Handled {
    caller(state, request)?;
    let uid: i64 = request.segments[3]
        .parse()
        .map_err(|_| fail(400, "uid must be an integer"))?;
    query::<bool>(request, "local")?;
    let user = state
        .users
        .get(&uid)
        .ok_or_else(|| fail(404, "User id cannot be located"))?;
    Ok(json(200, &presence(uid, user)))
}

fn list_presence(state: &mut State, request: &Request) -> Handled {
    privileged_caller(state, request)?;
    let after = query::<i64>(request, "lastUserId")?;
    let limit = query::<i64>(request, "limit")?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(fail(
            400,
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let range = match after {
        Some(after) => state.users.range(after.saturating_add(1)..),
        None => state.users.range(..),
    };
    let page = range
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|(uid, user)| presence(*uid, user))
        .collect();
    Ok(json(200, &V2PresenceList(page)))
}

fn register(state: &mut State, request: &Request) -> Handled {
    let uid = privileged_caller(state, request)?;
    let UserIdList(ids) = body(request)?;
    if let Some(missing) = ids.iter().find(|id| !state.users.contains_key(id)) {
        return Err(fail(404, format!("User id {missing} cannot be located")));
    }
    state.interest.entry(uid).or_default().extend(ids);
    Ok(json(
        200,
        &SuccessResponse {
            format: Some(SuccessResponseFormat::Text),
            message: Some("OK".into()),
        },
    ))
}

fn set_user_presence(state: &mut State, request: &Request) -> Handled {
    privileged_caller(state, request)?;
    let target: V2UserPresence = body(request)?;
    let soft = query::<bool>(request, "soft")?.unwrap_or(false);
    let uid = target
        .user_id
        .ok_or_else(|| fail(400, "userId is required"))?;
    settable(&target.category)?;
    if !state.users.contains_key(&uid) {
        return Err(fail(404, "User id cannot be located"));
    }
    state.set_category(uid, &target.category, soft);
    Ok(json(200, &presence(uid, &state.users[&uid])))
}

fn create_feed(state: &mut State, request: &Request) -> Handled {
    caller(state, request)?;
    // Expired feeds go when a feed is made, so that they cannot pile up unread.
    state.expire_feeds();
    let id = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let feed = Feed {
        seq: state.seq,
        read_at: Instant::now(),
    };
    state.feeds.insert(id.clone(), feed);
    Ok(json(200, &StringId { id: Some(id) }))
}

fn read_feed(state: &mut State, request: &Request) -> Handled {
    caller(state, request)?;
    let id = &request.segments[4];
    let Some(feed) = state.feed(id) else {
        return Err(fail(400, FEED_NOT_FOUND));
    };
    feed.read_at = Instant::now();
    let last = feed.seq;
    let changed = state.changed_after(last, FEED_BATCH);
    let newest = changed.last().map(|(_, user)| user.seq);
    let changes = changed
        .into_iter()
        .map(|(uid, user)| presence(uid, user))
        .collect();
    if let (Some(newest), Some(feed)) = (newest, state.feeds.get_mut(id)) {
        feed.seq = newest;
    }
    Ok(json(200, &V2PresenceList(changes)))
}

fn delete_feed(state: &mut State, request: &Request) -> Handled {
    caller(state, request)?;
    let id = request.segments[4].clone();
    state.feed(&id).ok_or_else(|| fail(400, FEED_NOT_FOUND))?;
    state.feeds.remove(&id);
    Ok(json(200, &StringId { id: Some(id) }))
}
