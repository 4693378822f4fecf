"""allauth's account mails (address confirmation, password reset, security notices) leave
through the platform's mail task, as its own mails do: queued when the transaction commits,
sent by a worker when a broker is configured, never twice, and a mail server that is down or
slow neither holds up nor breaks the page that asked for the mail."""

from allauth.account.adapter import DefaultAccountAdapter

from microcert.core.mail import send_mail_later


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = self.render_mail(template_prefix, email, context)
        if getattr(message, "alternatives", None):
            # The task carries plain text; a message with an HTML part is sent as it is.
            message.send()
            return
        send_mail_later(
            message.subject,
            message.body,
            message.to,
            from_email=message.from_email,
            template=template_prefix,
        )
