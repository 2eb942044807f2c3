"""通知公告: the committee and the street office write notices (chat, API); the outbox delivers them to
everyone in their audience, urgent ones first; residents read them and confirm receipt; the grid worker
gets who of those with care needs has not confirmed an urgent one, to call or visit."""
