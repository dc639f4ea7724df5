//! Turning the options, and the configuration file if one is given, into a client.
//!
//! Each setting comes from its flag (or the flag's environment variable) when given, else from
//! the configuration file, else from the SDK's default. Credentials are taken whole: any
//! authentication flag replaces the file's bot and app.

use std::path::Path;
use std::time::Duration;

use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Config, HttpSettings, PresenceClient, UserId,
};

use crate::args::Cli;
use crate::exit::Failure;

const EXACTLY_ONE: &str = "give exactly one form of authentication: --session-token, OBO \
     (--app-id with --app-key, or with --app-cert and --app-cert-key, and --obo-user-id or \
     --obo-username), a bot (--bot-username and --bot-key, or --bot-cert and --bot-cert-key), \
     or a --config file with a bot or an app";

/// A client for the pod with exactly one form of authentication.
pub fn client(cli: &Cli) -> Result<PresenceClient, Failure> {
    let config = cli.config.as_deref().map(Config::from_file).transpose()?;
    let config = config.as_ref();
    let urls = Urls::resolve(cli, config)?;
    let credentials = Credentials::resolve(cli, config)?;
    let http = http_settings(cli, config)?;
    match credentials {
        Credentials::Token(token) => Ok(PresenceClient::builder(&urls.pod)
            .session_token(token)
            .http(http)
            .build()?),
        Credentials::Bot(bot) => {
            let mut builder = PresenceClient::builder(&urls.pod).bot(bot).http(http);
            if let Some(url) = urls.login {
                builder = builder.login_url(url);
            }
            if let Some(url) = urls.session_auth {
                builder = builder.session_auth_url(url);
            }
            Ok(builder.build()?)
        }
        Credentials::App { app, user } => {
            let mut builder = AppClient::builder(&urls.pod, app).http(http);
            if let Some(url) = urls.login {
                builder = builder.login_url(url);
            }
            if let Some(url) = urls.session_auth {
                builder = builder.session_auth_url(url);
            }
            let app = builder.build()?;
            Ok(match user {
                OboUser::Id(uid) => app.on_behalf_of(uid),
                OboUser::Username(name) => app.on_behalf_of_username(name),
            })
        }
    }
}

/// Where requests go. `None` leaves the SDK's default: the pod URL's origin followed by
/// `/login` or `/sessionauth`.
struct Urls {
    pod: String,
    login: Option<String>,
    session_auth: Option<String>,
}

impl Urls {
    /// `--pod-url` replaces the file's servers: the file's login and session-auth URLs name the
    /// file's hosts, so they are used only with the file's pod.
    fn resolve(cli: &Cli, config: Option<&Config>) -> Result<Urls, Failure> {
        let (pod, login, session_auth) = match (&cli.pod_url, config) {
            (Some(pod), _) => (pod.clone(), None, None),
            (None, Some(config)) => (
                config.pod_url(),
                Some(config.login_url()),
                config.session_auth_url(),
            ),
            (None, None) => {
                return Err(usage(
                    "--pod-url (or SYMPHONY_POD_URL, or a --config file) is required",
                ));
            }
        };
        Ok(Urls {
            pod,
            login: cli.login_url.clone().or(login),
            session_auth: cli.session_auth_url.clone().or(session_auth),
        })
    }
}

/// The configuration file's transport, if there is one, with the flags applied over it.
fn http_settings(cli: &Cli, config: Option<&Config>) -> Result<HttpSettings, Failure> {
    let mut http = match config {
        Some(config) => config.http_settings()?,
        None => HttpSettings::default(),
    };
    // A new proxy replaces the file's with its credentials, which never go to another proxy.
    if let Some(url) = &cli.proxy {
        http = http.proxy(url)?;
    }
    for path in &cli.ca_cert {
        let pem = std::fs::read(path)
            .map_err(|e| usage(&format!("--ca-cert {}: {e}", path.display())))?;
        http = http
            .add_root_certificate_pem(&pem)
            .map_err(|e| usage(&format!("--ca-cert {}: {e}", path.display())))?;
    }
    if let Some(secs) = cli.timeout {
        http = http.timeout(Duration::from_secs(secs));
    }
    if let Some(secs) = cli.deadline {
        http = http.deadline(Duration::from_secs(secs));
    }
    if cli.allow_insecure_http {
        http = http.allow_insecure_http(true);
    }
    Ok(http)
}

enum Credentials {
    Token(String),
    Bot(BotCredentials),
    App { app: AppCredentials, user: OboUser },
}

enum OboUser {
    Id(UserId),
    Username(String),
}

impl Credentials {
    fn resolve(cli: &Cli, config: Option<&Config>) -> Result<Credentials, Failure> {
        let token = cli.session_token.is_some();
        let app = cli.app_id.is_some()
            || cli.app_key.is_some()
            || cli.app_cert.is_some()
            || cli.app_cert_key.is_some();
        let obo = cli.obo_user_id.is_some() || cli.obo_username.is_some();
        let bot = cli.bot_username.is_some()
            || cli.bot_key.is_some()
            || cli.bot_cert.is_some()
            || cli.bot_cert_key.is_some();
        match (token, app, obo, bot) {
            (true, false, false, false) => Ok(Credentials::Token(
                cli.session_token.clone().unwrap_or_default(),
            )),
            (false, true, _, false) => {
                let app = app_from_flags(cli)?;
                let user = obo_user(cli)?.ok_or_else(|| {
                    usage("OBO needs exactly one of --obo-user-id and --obo-username")
                })?;
                Ok(Credentials::App { app, user })
            }
            (false, false, false, true) => Ok(Credentials::Bot(bot_from_flags(cli)?)),
            (false, false, _, false) => match config {
                Some(config) => from_config(cli, config),
                None if obo => Err(usage(
                    "OBO needs --app-id with --app-key, or with --app-cert and --app-cert-key \
                     (or an `app` in a --config file)",
                )),
                None => Err(usage(EXACTLY_ONE)),
            },
            _ => Err(usage(EXACTLY_ONE)),
        }
    }
}

/// `--obo-user-id` or `--obo-username`, if either is given.
fn obo_user(cli: &Cli) -> Result<Option<OboUser>, Failure> {
    match (cli.obo_user_id, &cli.obo_username) {
        (Some(uid), None) => Ok(Some(OboUser::Id(UserId(uid)))),
        (None, Some(name)) => Ok(Some(OboUser::Username(name.clone()))),
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(usage(
            "OBO needs exactly one of --obo-user-id and --obo-username",
        )),
    }
}

fn app_from_flags(cli: &Cli) -> Result<AppCredentials, Failure> {
    let proof = match (&cli.app_key, &cli.app_cert, &cli.app_cert_key) {
        (Some(key), None, None) => Proof::KeyFile(key),
        (None, Some(cert), Some(key)) => Proof::CertificateFiles { cert, key },
        (None, Some(_), None) => {
            return Err(usage(
                "--app-cert needs --app-cert-key, the certificate's private key",
            ));
        }
        (None, None, Some(_)) => return Err(usage("--app-cert-key needs --app-cert")),
        (None, None, None) => {
            return Err(usage(
                "OBO needs --app-id with --app-key, or with --app-cert and --app-cert-key",
            ));
        }
        (Some(_), _, _) => {
            return Err(usage(
                "give the app either --app-key or --app-cert with --app-cert-key, not both",
            ));
        }
    };
    let Some(app_id) = &cli.app_id else {
        return Err(usage(
            "OBO needs --app-id with --app-key, or with --app-cert and --app-cert-key",
        ));
    };
    Ok(match proof {
        Proof::KeyFile(key) => AppCredentials::from_pem_file(app_id, key)?,
        Proof::CertificateFiles { cert, key } => {
            refuse_pkcs12(cert, "--app-cert")?;
            AppCredentials::from_certificate_files(app_id, cert, key)?
        }
    })
}

fn bot_from_flags(cli: &Cli) -> Result<BotCredentials, Failure> {
    match (
        &cli.bot_username,
        &cli.bot_key,
        &cli.bot_cert,
        &cli.bot_cert_key,
    ) {
        (Some(username), Some(key), None, None) => {
            Ok(BotCredentials::from_pem_file(username, key)?)
        }
        (None, None, Some(cert), Some(key)) => {
            refuse_pkcs12(cert, "--bot-cert")?;
            Ok(BotCredentials::from_certificate_files(cert, key)?)
        }
        (None, None, Some(_), None) => Err(usage(
            "--bot-cert needs --bot-cert-key, the certificate's private key",
        )),
        (None, None, None, Some(_)) => Err(usage("--bot-cert-key needs --bot-cert")),
        (_, _, None, None) => Err(usage("a bot needs both --bot-username and --bot-key")),
        _ => Err(usage(
            "give the bot either --bot-username with --bot-key, or --bot-cert with \
             --bot-cert-key (the certificate names the bot), not both",
        )),
    }
}

/// What proves an identity given on the command line.
enum Proof<'a> {
    KeyFile(&'a Path),
    CertificateFiles { cert: &'a Path, key: &'a Path },
}

/// The configuration file's app when OBO is asked for, else its bot.
fn from_config(cli: &Cli, config: &Config) -> Result<Credentials, Failure> {
    match (obo_user(cli)?, config.app(), config.bot()) {
        (Some(user), Some(app), _) => Ok(Credentials::App {
            app: app.credentials()?,
            user,
        }),
        (Some(_), None, _) => Err(usage(
            "OBO needs an app: --app-id with --app-key or --app-cert, or an `app` section in \
             the configuration file",
        )),
        (None, _, Some(bot)) => Ok(Credentials::Bot(bot.credentials()?)),
        (None, Some(_), None) => Err(usage(
            "the configuration's app acts on behalf of a user: give --obo-user-id or \
             --obo-username",
        )),
        (None, None, None) => Err(usage(EXACTLY_ONE)),
    }
}

/// Refuses a PKCS#12 file by its name, before reading it as PEM fails less clearly.
fn refuse_pkcs12(path: &Path, what: &str) -> Result<(), Failure> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("p12" | "pfx") => Err(pkcs12(path, what)),
        _ => Ok(()),
    }
}

/// A PKCS#12 file given to the flag `what`, with the openssl commands that make the PEM files
/// it and its `-key` flag take. (A configuration's PKCS#12 is refused by the SDK's config
/// reader, with its own advice.)
fn pkcs12(path: &Path, what: &str) -> Failure {
    let p12 = path.display();
    usage(&format!(
        "{what} {p12} is a PKCS#12 file, which this tool does not read: convert it to PEM with \
         `openssl pkcs12 -in {p12} -clcerts -nokeys -out cert.pem` and, for {what}-key, \
         `openssl pkcs12 -in {p12} -nocerts -nodes -out key.pem` (add -legacy if OpenSSL 3 says \
         the algorithm is unsupported; the key is written unencrypted, so keep it readable only \
         by you)"
    ))
}

fn usage(message: &str) -> Failure {
    Failure::Usage(message.to_owned())
}
