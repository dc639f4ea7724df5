//! Turning the authentication options into a client.

use std::time::Duration;

use symphony_presence::{
    AppCredentials, AppSession, BotCredentials, BotSession, Error, HttpSettings, PresenceClient,
    SessionBuilder, StaticSession, UserId,
};

use crate::args::Cli;

/// A client for `--pod-url` with exactly one form of authentication.
pub fn client(cli: &Cli) -> Result<PresenceClient, Error> {
    let pod_url = cli
        .pod_url
        .clone()
        .ok_or_else(|| Error::InvalidInput("--pod-url (or SYMPHONY_POD_URL) is required".into()))?;
    let mut settings = HttpSettings::default();
    if let Some(secs) = cli.timeout {
        settings = settings.timeout(Duration::from_secs(secs));
    }
    let builder = PresenceClient::builder(&pod_url).settings(settings.clone());

    let token = cli.session_token.is_some();
    let app = cli.app_id.is_some()
        || cli.app_key.is_some()
        || cli.obo_user_id.is_some()
        || cli.obo_username.is_some();
    let bot = cli.bot_username.is_some() || cli.bot_key.is_some();
    match (token, app, bot) {
        (true, false, false) => builder.session(StaticSession::new(cli.session_token.clone().unwrap_or_default())?).build(),
        (false, true, false) => {
            let (Some(app_id), Some(key)) = (&cli.app_id, &cli.app_key) else {
                return Err(Error::InvalidInput("OBO needs both --app-id and --app-key".into()));
            };
            let credentials = AppCredentials::from_pem_file(app_id, key)?;
            let app = login(AppSession::builder(&pod_url, credentials), cli, settings).build()?;
            let session = match (cli.obo_user_id, &cli.obo_username) {
                (Some(uid), None) => app.obo_user(UserId(uid)),
                (None, Some(name)) => app.obo_username(name),
                _ => return Err(Error::InvalidInput("OBO needs exactly one of --obo-user-id and --obo-username".into())),
            };
            builder.session(session).build()
        }
        (false, false, true) => {
            let (Some(username), Some(key)) = (&cli.bot_username, &cli.bot_key) else {
                return Err(Error::InvalidInput("a bot needs both --bot-username and --bot-key".into()));
            };
            let credentials = BotCredentials::from_pem_file(username, key)?;
            let bot = login(BotSession::builder(&pod_url, credentials), cli, settings).build()?;
            builder.session(bot).build()
        }
        _ => Err(Error::InvalidInput(
            "give exactly one form of authentication: --session-token, OBO (--app-id, --app-key and \
             --obo-user-id or --obo-username), or a bot (--bot-username and --bot-key)"
                .into(),
        )),
    }
}

/// The transport settings and, if given, `--login-url`, for either kind of RSA session.
fn login<C>(builder: SessionBuilder<C>, cli: &Cli, settings: HttpSettings) -> SessionBuilder<C> {
    let builder = builder.settings(settings);
    match &cli.login_url {
        Some(url) => builder.login_url(url),
        None => builder,
    }
}
