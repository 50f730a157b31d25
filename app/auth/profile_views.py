""""Tài khoản của tôi": the signed-in user's e-mail, how alerts reach them by e-mail, and their password.

There is no id in the address: the page is always the signed-in user's own.
"""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app.auth import services
from app.auth.forms import ProfileForm
from app.auth.views import bp
from app.core.forms import FAILED, commit_or_show
from app.core.time import now_utc


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    person = current_user._get_current_object()
    form = ProfileForm(obj=person)
    if form.validate_on_submit():
        now = now_utc()

        def save():
            services.update_profile(person, email=form.email.data, alert_email=form.alert_email.data, actor=person)
            if form.password.data:
                services.change_own_password(person, current_password=form.current_password.data,
                                             new_password=form.password.data, now=now,
                                             current_session=g.get("user_session"))
            return person

        if commit_or_show(form, save) is not FAILED:
            flash(gettext("Đã lưu thông tin tài khoản."), "success")
            return redirect(url_for(".profile"))
    return render_template("auth/profile.html", form=form, person=person), (422 if form.errors else 200)
