use thiserror::Error;

/// Which input was rejected locally. Carries no value, so the CID never ends up in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidField {
    /// Not exactly 13 digits.
    Cid,
    /// Empty or not plain ASCII letters/digits.
    ServiceCode,
}

/// Failure of an authen lookup. No variant holds a CID, token or patient name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthenError {
    #[error("NHSO connection is disabled (kill switch)")]
    Disabled,
    #[error("NHSO credentials have expired")]
    CredentialsExpired,
    #[error("NHSO rejected the credentials (HTTP 401/403)")]
    Unauthorized,
    #[error("NHSO rate limit exceeded (HTTP 429)")]
    RateLimited,
    #[error("NHSO service unavailable (HTTP {status})")]
    Unavailable { status: u16 },
    #[error("NHSO service did not answer in time")]
    Timeout,
    #[error("could not connect to the NHSO service")]
    Network,
    /// A 4xx other than 401/403/429, or a redirect: the request itself is not accepted.
    #[error("NHSO rejected the request (HTTP {status})")]
    Rejected { status: u16 },
    #[error("unexpected response from NHSO: {0}")]
    BadResponse(String),
    #[error("invalid input: {}", match .0 {
        InvalidField::Cid => "personal ID must be 13 digits",
        InvalidField::ServiceCode => "service code must be letters and digits",
    })]
    InvalidInput(InvalidField),
    /// Bad settings (base URL, TLS setup); raised by `HttpConnector::new`.
    #[error("invalid NHSO connector settings: {0}")]
    Config(String),
}

impl AuthenError {
    /// Message for the (Thai) user interface.
    pub fn message_th(&self) -> String {
        match self {
            Self::Disabled => "ปิดการเชื่อมต่อ สปสช. อยู่ (kill switch)".into(),
            Self::CredentialsExpired => "รหัสผ่านเข้าระบบ สปสช. หมดอายุแล้ว กรุณาต่ออายุ".into(),
            Self::Unauthorized => "รหัสผ่าน/โทเคนเข้าระบบ สปสช. ไม่ถูกต้อง".into(),
            Self::RateLimited => "เรียกใช้บริการ สปสช. ถี่เกินไป กรุณารอสักครู่แล้วลองใหม่".into(),
            Self::Unavailable { status } => {
                format!("บริการตรวจสอบสิทธิ สปสช. ไม่พร้อมใช้งาน (HTTP {status}) กรุณาลองใหม่ภายหลัง")
            }
            Self::Timeout => {
                "บริการตรวจสอบสิทธิ สปสช. ไม่ตอบสนองภายในเวลาที่กำหนด กรุณาลองใหม่ภายหลัง".into()
            }
            Self::Network => "ไม่สามารถเชื่อมต่อบริการ สปสช. ได้ กรุณาตรวจสอบเครือข่าย".into(),
            Self::Rejected { status } => {
                format!("บริการ สปสช. ไม่รับคำขอนี้ (HTTP {status})")
            }
            Self::BadResponse(_) => "ข้อมูลที่ได้รับจาก สปสช. ไม่อยู่ในรูปแบบที่รองรับ".into(),
            Self::InvalidInput(InvalidField::Cid) => "เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก".into(),
            Self::InvalidInput(InvalidField::ServiceCode) => "รหัสบริการไม่ถูกต้อง".into(),
            Self::Config(_) => "การตั้งค่าการเชื่อมต่อ สปสช. ไม่ถูกต้อง".into(),
        }
    }

    /// Transient failures worth another attempt (429, 5xx, timeout, connection).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited | Self::Unavailable { .. } | Self::Timeout | Self::Network
        )
    }

    /// Failures that make every further call pointless, so a batch must stop.
    pub fn stops_batch(&self) -> bool {
        matches!(
            self,
            Self::Disabled | Self::CredentialsExpired | Self::Unauthorized | Self::Config(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        assert_eq!(
            AuthenError::Unavailable { status: 503 }.message_th(),
            "บริการตรวจสอบสิทธิ สปสช. ไม่พร้อมใช้งาน (HTTP 503) กรุณาลองใหม่ภายหลัง"
        );
        assert_eq!(
            AuthenError::Unavailable { status: 503 }.to_string(),
            "NHSO service unavailable (HTTP 503)"
        );
        assert_eq!(
            AuthenError::InvalidInput(InvalidField::Cid).to_string(),
            "invalid input: personal ID must be 13 digits"
        );
        assert!(AuthenError::Unauthorized.stops_batch());
        assert!(!AuthenError::Unauthorized.is_transient());
        assert!(AuthenError::Timeout.is_transient());
    }
}
