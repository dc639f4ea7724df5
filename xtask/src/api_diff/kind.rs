//! The kinds of spec change, and which are breaking for an existing client.
//!
//! "Breaking" is judged from an existing client's side: a program built from the old documents
//! talking to a server that follows the new ones. Its requests must still be accepted and the
//! responses must still decode into its generated types, which are strict: a generated Rust
//! enum rejects a value it does not know, and a required field rejects its absence. So the
//! same change can be harmless in a request and breaking in a response (docs/codegen.md).

use std::fmt;

/// Where a schema is used, which decides whether a change to it breaks clients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sides {
    pub request: bool,
    pub response: bool,
}

impl Sides {
    pub const REQUEST: Sides = Sides {
        request: true,
        response: false,
    };
    pub const RESPONSE: Sides = Sides {
        request: false,
        response: true,
    };

    pub fn union(self, other: Sides) -> Sides {
        Sides {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }

    pub fn any(self) -> bool {
        self.request || self.response
    }

    pub fn label(self) -> &'static str {
        match (self.request, self.response) {
            (true, true) => "request and response",
            (true, false) => "request",
            (false, true) => "response",
            (false, false) => "unused",
        }
    }
}

impl fmt::Display for Sides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

macro_rules! kinds {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// One kind of change between two versions of an API's document.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub enum ChangeKind {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ChangeKind {
            pub const ALL: &[ChangeKind] = &[$(ChangeKind::$variant,)*];

            /// The name used in the JSON report and in docs/codegen.md.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ChangeKind::$variant => $name,)*
                }
            }
        }
    };
}

kinds! {
    /// A folder under `openapi/` appeared. Not breaking.
    ApiAdded => "api-added",
    /// A folder under `openapi/` went. Breaking: its clients lose every operation.
    ApiRemoved => "api-removed",
    /// `info.version` changed. Not breaking by itself.
    Version => "version",
    /// An operation (method + path) appeared. Not breaking.
    OperationAdded => "operation-added",
    /// An operation went. Breaking.
    OperationRemoved => "operation-removed",
    /// A parameter appeared. Breaking when it is required: old clients do not send it.
    ParameterAdded => "parameter-added",
    /// A parameter went. Breaking: the generated setter goes, and what clients send is ignored.
    ParameterRemoved => "parameter-removed",
    /// An optional parameter became required. Breaking.
    ParameterRequired => "parameter-required",
    /// A required parameter became optional. Not breaking.
    ParameterOptional => "parameter-optional",
    /// A parameter's type (or format, or nullability) changed. Breaking.
    ParameterType => "parameter-type",
    /// An operation got a request body. Breaking when it is required.
    RequestBodyAdded => "request-body-added",
    /// An operation's request body went. Breaking: old clients still send one.
    RequestBodyRemoved => "request-body-removed",
    /// An optional request body became required. Breaking.
    RequestBodyRequired => "request-body-required",
    /// A required request body became optional. Not breaking.
    RequestBodyOptional => "request-body-optional",
    /// A response status appeared. Breaking when it is a success (2xx): a generated client
    /// answers a status it does not know with `UnexpectedResponse`.
    ResponseAdded => "response-added",
    /// A response status went. Not breaking: clients handle a status they no longer get.
    ResponseRemoved => "response-removed",
    /// The type of a component schema or of a request or response body changed (another
    /// `$ref`, another `type` or `format`, nullability). Breaking where the schema is used.
    SchemaType => "schema-type",
    /// A property appeared. Breaking in a request when it is required; in a response, clients
    /// ignore properties they do not know.
    PropertyAdded => "property-added",
    /// A property went. Breaking in a response (clients read it); in a request, the server
    /// ignores what old clients still send.
    PropertyRemoved => "property-removed",
    /// An optional property became required. Breaking in a request.
    PropertyRequired => "property-required",
    /// A required property became optional. Breaking in a response: the generated field is
    /// not an `Option`, so its absence fails decoding.
    PropertyOptional => "property-optional",
    /// A property's type (or format, or nullability) changed. Breaking where it is used.
    PropertyType => "property-type",
    /// An enum gained a value. Breaking in a response: a generated enum rejects the value.
    EnumValueAdded => "enum-value-added",
    /// An enum lost a value. Breaking in a request: old clients may still send it.
    EnumValueRemoved => "enum-value-removed",
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
