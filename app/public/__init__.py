"""The public scoreboard (/cong-khai): published figures of the units whose chair switched publishing on, without
sign-in; its embed, its badge and the open-data downloads."""
