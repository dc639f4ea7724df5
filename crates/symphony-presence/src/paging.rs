//! Listing every user's presence, page by page (`GET /v2/users/presence`).

use futures_util::Stream;
use futures_util::stream;

use crate::client::PresenceClient;
use crate::error::Error;
use crate::http::Operation;
use crate::{Presence, UserId};

const LIST_PRESENCE: Operation = Operation::pod("get_v2_users_presence", true);

/// The largest page Symphony serves.
pub const MAX_PAGE_SIZE: u32 = 5000;
/// The page size used unless another is set; also the server's own default.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

impl PresenceClient {
    /// Lists the presence of every user of the pod, across all pages.
    ///
    /// Pages are sorted by user id and each one starts after the last id of the one before; the
    /// listing ends at the first empty page. Only one page is held in memory at a time.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mut all = std::pin::pin!(client.list_all_presence().page_size(5000).stream());
    /// while let Some(presence) = all.try_next().await? {
    ///     println!("{:?} {}", presence.user_id, presence.category);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list_all_presence(&self) -> ListAllPresence {
        ListAllPresence {
            client: self.clone(),
            page_size: DEFAULT_PAGE_SIZE,
            after: None,
        }
    }

    /// One page of at most `limit` presences (1 to [`MAX_PAGE_SIZE`]) of the users whose id
    /// comes after `after`, sorted by user id. An empty page means there are no more users.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// let first = client.list_presence_page(None, 100).await?;
    /// let next = client.list_presence_page(first.last().and_then(|p| p.user_id), 100).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a `limit` outside 1 to 5000; otherwise as
    /// [`get_presence`](Self::get_presence), with [`Error::Forbidden`] without the privilege.
    pub async fn list_presence_page(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<Presence>, Error> {
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(Error::InvalidInput(format!(
                "the page size must be 1 to {MAX_PAGE_SIZE}, not {limit}"
            )));
        }
        let list = self
            .call(LIST_PRESENCE, |api, token, trace_id| {
                let request = api
                    .get_v2_users_presence()
                    .x_trace_id(trace_id)
                    .limit(i64::from(limit))
                    .session_token(token);
                match after {
                    Some(after) => request.last_user_id(after.0).send(),
                    None => request.send(),
                }
            })
            .await?;
        Ok(list.0.into_iter().map(Presence::from).collect())
    }
}

/// The listing built by [`PresenceClient::list_all_presence`].
#[derive(Clone, Debug)]
#[must_use]
pub struct ListAllPresence {
    client: PresenceClient,
    page_size: u32,
    after: Option<UserId>,
}

impl ListAllPresence {
    /// Presences per page, 1 to [`MAX_PAGE_SIZE`] (default [`DEFAULT_PAGE_SIZE`]).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// Starts after this user id instead of at the first user.
    pub fn start_after(mut self, after: impl Into<Option<UserId>>) -> Self {
        self.after = after.into();
        self
    }

    /// The presences, one by one, fetching a page whenever the last one is used up.
    ///
    /// The stream ends after an error. An entry whose id is not after the last one seen is
    /// skipped, so a server that repeats the boundary user does not duplicate it; a page that
    /// brings nothing new, or ends with an entry without a user id, ends the stream with
    /// [`Error::Decode`] rather than loop.
    pub fn stream(self) -> impl Stream<Item = Result<Presence, Error>> + Send + 'static {
        let state = Paging {
            listing: self,
            page: Vec::new().into_iter(),
            done: false,
        };
        stream::unfold(state, |mut s| async move {
            loop {
                if let Some(presence) = s.page.next() {
                    return Some((Ok(presence), s));
                }
                if s.done {
                    return None;
                }
                match s.next_page().await {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(e) => {
                        s.done = true;
                        return Some((Err(e), s));
                    }
                }
            }
        })
    }
}

struct Paging {
    listing: ListAllPresence,
    page: std::vec::IntoIter<Presence>,
    done: bool,
}

impl Paging {
    /// Fetches the next page; `false` at the end of the listing.
    async fn next_page(&mut self) -> Result<bool, Error> {
        let ListAllPresence {
            client,
            page_size,
            after,
        } = &self.listing;
        let mut page = client.list_presence_page(*after, *page_size).await?;
        if page.is_empty() {
            return Ok(false);
        }
        let no_progress = |reason: &str| LIST_PRESENCE.unusable_200(reason);
        let Some(last) = page.last().map(|p| p.user_id) else {
            return Ok(false);
        };
        let Some(last) = last else {
            return Err(no_progress(
                "a page ends with an entry without userId, so paging cannot go on",
            ));
        };
        if let Some(after) = after {
            page.retain(|p| p.user_id.is_none_or(|id| id > *after));
            if page.is_empty() || last <= *after {
                return Err(no_progress(
                    "a page brought no user after the last one seen",
                ));
            }
        }
        self.listing.after = Some(last);
        self.page = page.into_iter();
        Ok(true)
    }
}
