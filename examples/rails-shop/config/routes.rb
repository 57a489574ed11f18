Rails.application.routes.draw do
  resources :products, only: %i[index show create update destroy] do
    resources :reviews, only: %i[index create]
  end
  resources :customers, only: %i[index show create]
  resources :orders, only: %i[index show create] do
    post :pay, on: :member
    post :cancel, on: :member
  end
  get "health", to: "health#show"
end
